// Catch2 main for the interpreter's unit tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

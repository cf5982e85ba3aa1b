// Catch2 main for the command-script tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

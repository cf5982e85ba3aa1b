// Deliberate violation for tests/check_layering.cmake's self-test: PEGTL outside frontend/.
#include <tao/pegtl.hpp>

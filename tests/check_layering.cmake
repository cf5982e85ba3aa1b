# The layering rule of DESIGN.md and STYLE.md, checked by grep: PEGTL (tao/pegtl) is included only
# in frontend/ (and tests/, whose grammar test includes frontend/src/save_grammar.hpp), LLVM
# (llvm/, llvm-c/) only in backend/; and only those directories link the libraries.
#   cmake -DROOT=<source dir> -P check_layering.cmake
# Fails (non-zero exit) listing every violation. tests/layering_fixture holds deliberate
# violations: the suite runs this script on it and expects a failure.
if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<dir> -P check_layering.cmake")
endif()

file(GLOB_RECURSE sources RELATIVE ${ROOT}
     ${ROOT}/*.cpp ${ROOT}/*.hpp ${ROOT}/*.cc ${ROOT}/*.h ${ROOT}/*.c ${ROOT}/*.inc)
file(GLOB_RECURSE cmake_files RELATIVE ${ROOT} ${ROOT}/CMakeLists.txt ${ROOT}/*.cmake)

set(violations "")
set(scanned 0)

function(skip_path path out)
  # Build trees, VCS data and (when checking the real tree) the fixture.
  if(path MATCHES "(^|/)(build[^/]*|\\.git|\\.cache|_deps)/" OR path MATCHES "(^|/)layering_fixture/")
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

foreach(path ${sources})
  skip_path("${path}" skip)
  if(skip)
    continue()
  endif()
  math(EXPR scanned "${scanned} + 1")
  file(STRINGS ${ROOT}/${path} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](tao/pegtl|llvm/|llvm-c/)")
  foreach(line ${lines})
    if(line MATCHES "tao/pegtl" AND NOT path MATCHES "^(frontend|tests)/")
      list(APPEND violations "${path}: includes PEGTL outside frontend/: ${line}")
    endif()
    if(line MATCHES "[<\"]llvm(-c)?/" AND NOT path MATCHES "^backend/")
      list(APPEND violations "${path}: includes LLVM outside backend/: ${line}")
    endif()
  endforeach()
endforeach()

foreach(path ${cmake_files})
  skip_path("${path}" skip)
  if(skip)
    continue()
  endif()
  file(STRINGS ${ROOT}/${path} lines REGEX "target_link_libraries")
  foreach(line ${lines})
    if(line MATCHES "pegtl" AND NOT path MATCHES "^(frontend|tests)/")
      list(APPEND violations "${path}: links PEGTL outside frontend/: ${line}")
    endif()
    if(line MATCHES "(LLVM|llvm)" AND NOT path MATCHES "^backend/")
      list(APPEND violations "${path}: links LLVM outside backend/: ${line}")
    endif()
  endforeach()
endforeach()

if(scanned EQUAL 0)
  message(FATAL_ERROR "layering: no source files found under ${ROOT}")
endif()
list(LENGTH violations count)
if(count GREATER 0)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "layering: ${count} violation(s) in ${ROOT}:\n  ${text}")
endif()
message(STATUS "layering: ${scanned} source files respect the layering rule")

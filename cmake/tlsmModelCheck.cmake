# cmake/tlsmModelCheck.cmake — tlsm_add_model_check(<target> SOURCES <files...>
#                                                   [EXPECT_BUG <scenario>...])
# (installed with the package config; included by tlsmConfig.cmake).
# Builds the user's scenarios (TLSM_MODEL_SCENARIO, docs/model-check-your-code.md)
# into <target>, a tlsm-compatible driver (list, check, replay, every search
# and report), with a build id hashed from the given sources and the
# installed headers, and registers after every link one ctest per scenario:
# <target>.model.<scenario> (label model, must pass), or, for a scenario
# named in EXPECT_BUG (a deliberately broken twin), <target>.twin.<scenario>
# (label model;mutants: `check --expect-bug`, every search must find a bug).
set(_TLSM_MC_DIR ${CMAKE_CURRENT_LIST_DIR})

function(tlsm_add_model_check target)
  cmake_parse_arguments(PARSE_ARGV 1 A "" "" "SOURCES;EXPECT_BUG")
  if(NOT A_SOURCES)
    message(FATAL_ERROR "tlsm_add_model_check(${target}): no SOURCES")
  endif()
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tlsm_add_model_check(${target}): unknown arguments ${A_UNPARSED_ARGUMENTS}")
  endif()
  set(_id_cc ${CMAKE_CURRENT_BINARY_DIR}/${target}_build_id.cc)
  set(_abs "")
  foreach(s IN LISTS A_SOURCES)
    get_filename_component(a ${s} ABSOLUTE)
    list(APPEND _abs ${a})
  endforeach()
  string(REPLACE ";" "|" _files "${_abs}")
  add_custom_command(
    OUTPUT ${_id_cc}
    COMMAND ${CMAKE_COMMAND} -DOUT=${_id_cc} "-DFILES=${_files}"
            -DHEADERS=${TLSM_INCLUDE_DIR} -DSOURCE_ROOT=${CMAKE_CURRENT_SOURCE_DIR}/
            -P ${_TLSM_MC_DIR}/tlsm_user_build_id.cmake
    DEPENDS ${_abs} ${_TLSM_MC_DIR}/tlsm_user_build_id.cmake ${_TLSM_MC_DIR}/tlsm_script_util.cmake
    COMMENT "${target} build id"
    VERBATIM)
  add_executable(${target} ${A_SOURCES} ${_id_cc})
  target_link_libraries(${target} PRIVATE tlsm::tlsm_driver tlsm::tlsm_engine_model)
  if(BUILD_TESTING)
    set(_tests_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake)
    string(REPLACE ";" "|" _expect "${A_EXPECT_BUG}")
    add_custom_command(
      TARGET ${target} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -DTLSM=$<TARGET_FILE:${target}> -DOUT=${_tests_file}
              -DRESULTS=${CMAKE_CURRENT_BINARY_DIR}/${target}_results -DPREFIX=${target}.
              -DMUTANTS=OFF "-DEXPECT_BUG=${_expect}" -P ${_TLSM_MC_DIR}/tlsm_discover_tests.cmake
      VERBATIM)
    set(_include ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests_include.cmake)
    file(WRITE ${_include} "if(EXISTS \"${_tests_file}\")\n  include(\"${_tests_file}\")\nendif()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${_include})
  endif()
endfunction()

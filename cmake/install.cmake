# cmake/install.cmake — what `cmake --install` puts under the prefix:
#   include/engine/**.h, include/model/{harness,cli}/*.h   engine and harness headers
#   include/tlsm/config.h                                  library properties (debug checks)
#   <libdir>/libtlsm_<part>.a, libtlsm_<part>_model.a      the engine's parts, std and model
#                                                          seam (engine/CMakeLists.txt)
#   <libdir>/libtlsm_harness.a, libtlsm_driver.a           the harness and the command line
#   bin/tlsm                                               the engine's model checker
#   <libdir>/cmake/tlsm/                                   tlsmConfig.cmake, tlsmConfigVersion.cmake,
#                                                          tlsmTargets.cmake (targets tlsm::*),
#                                                          tlsmModelCheck.cmake and its scripts
# Every path inside is relative to the prefix (relocatable).
include(CMakePackageConfigHelpers)
set(TLSM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/tlsm)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/engine
        FILES_MATCHING PATTERN "*.h" PATTERN "*.def")
install(FILES ${TLSM_CONFIG_INCLUDE_DIR}/tlsm/config.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tlsm)

set(_tlsm_export_targets tlsm_warnings ${TLSM_ENGINE_TARGETS})
if(TLSM_BUILD_MODEL)
  list(APPEND _tlsm_export_targets ${TLSM_ENGINE_TARGETS_model} tlsm_harness)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/model/harness/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/model/harness
          FILES_MATCHING PATTERN "*.h")
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/model/cli/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/model/cli
          FILES_MATCHING PATTERN "*.h")
  list(APPEND _tlsm_export_targets tlsm tlsm_driver)
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/tlsmModelCheck.cmake
                ${PROJECT_SOURCE_DIR}/cmake/tlsm_user_build_id.cmake
                ${PROJECT_SOURCE_DIR}/cmake/tlsm_script_util.cmake
                ${PROJECT_SOURCE_DIR}/cmake/tlsm_discover_tests.cmake
          DESTINATION ${TLSM_INSTALL_CMAKEDIR})
endif()
install(TARGETS ${_tlsm_export_targets} EXPORT tlsmTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT tlsmTargets NAMESPACE tlsm:: DESTINATION ${TLSM_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tlsmConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tlsmConfig.cmake INSTALL_DESTINATION ${TLSM_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tlsmConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tlsmConfig.cmake ${PROJECT_BINARY_DIR}/tlsmConfigVersion.cmake
        DESTINATION ${TLSM_INSTALL_CMAKEDIR})

# cmake/install.cmake — what `cmake --install` puts under the prefix:
#   include/engine/**.h, include/model/{harness,cli}/*.h   engine and harness headers
#   include/tlsm/config.h                                  library properties (debug checks)
#   lib/libtlsm_engine.a, lib/libtlsm_engine_model.a       std and model engines
#   bin/tlsm                                               the driver (model build)
#   lib/cmake/tlsm/                                        tlsmConfig.cmake, tlsmConfigVersion.cmake,
#                                                          tlsmTargets.cmake (targets tlsm::*)
# Every path inside is relative to the prefix (relocatable).
include(CMakePackageConfigHelpers)
set(TLSM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/tlsm)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/engine
        FILES_MATCHING PATTERN "*.h" PATTERN "*.def")
install(FILES ${TLSM_CONFIG_INCLUDE_DIR}/tlsm/config.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tlsm)

set(_tlsm_export_targets tlsm_warnings tlsm_engine)
if(TLSM_BUILD_MODEL)
  list(APPEND _tlsm_export_targets tlsm_engine_model)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/model/harness/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/model/harness
          FILES_MATCHING PATTERN "*.h")
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/model/cli/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/model/cli
          FILES_MATCHING PATTERN "*.h")
  list(APPEND _tlsm_export_targets tlsm tlsm_driver)
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/tlsmModelCheck.cmake
                ${PROJECT_SOURCE_DIR}/cmake/tlsm_user_build_id.cmake
                ${PROJECT_SOURCE_DIR}/model/cli/discover_tests.cmake
          DESTINATION ${TLSM_INSTALL_CMAKEDIR})
endif()
install(TARGETS ${_tlsm_export_targets} EXPORT tlsmTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT tlsmTargets NAMESPACE tlsm:: DESTINATION ${TLSM_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tlsmConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tlsmConfig.cmake INSTALL_DESTINATION ${TLSM_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tlsmConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tlsmConfig.cmake ${PROJECT_BINARY_DIR}/tlsmConfigVersion.cmake
        DESTINATION ${TLSM_INSTALL_CMAKEDIR})

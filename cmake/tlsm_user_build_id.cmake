# cmake/tlsm_user_build_id.cmake — the build id of a user's model-check
# executable: a hash of its scenario sources (FILES, |-separated) and of the
# installed engine and harness headers (HEADERS: the package's include
# directory), so a replay token replays only against a binary exploring the
# same interleaving tree.
# Run as: cmake -DOUT=<file.cc> -DFILES=<a|b|...> -DHEADERS=<dir> -DSOURCE_ROOT=<dir/>
#         -P tlsm_user_build_id.cmake
include(${CMAKE_CURRENT_LIST_DIR}/tlsm_script_util.cmake)
string(REPLACE "|" ";" _files "${FILES}")
file(GLOB_RECURSE _hdrs ${HEADERS}/engine/*.h ${HEADERS}/model/harness/*.h)
list(SORT _hdrs)
tlsm_hash_files(_id "" ${_files} ${_hdrs})
tlsm_write_build_info(${OUT} ${_id} "${SOURCE_ROOT}")

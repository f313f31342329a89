# model/cli/build_id.cmake — writes the build identity of the tlsm binary.
# Run as: cmake -DOUT=<file.cc> -DSOURCE_DIR=<root> -P build_id.cmake
# The id is a hash of every engine and model source the simulation depends
# on (mutants included: they are engine code), so a replay token only
# replays against a binary that explores the very same interleaving tree.
# The mutant a run selected is recorded in the token separately. The file is
# rewritten only when the id changes (no relink otherwise).
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/tlsm_script_util.cmake)
file(GLOB_RECURSE _candidates
  ${SOURCE_DIR}/engine/*.h ${SOURCE_DIR}/engine/*.cc ${SOURCE_DIR}/engine/*.def
  ${SOURCE_DIR}/model/*.h ${SOURCE_DIR}/model/*.cc)
list(SORT _candidates)
set(_files "")
foreach(f IN LISTS _candidates)
  file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
  # The CLI's own sources do not change interleavings (the selftest scenario does).
  if(rel MATCHES "^model/cli/" AND NOT rel MATCHES "selftest_scenario\\.cc$")
    continue()
  endif()
  # Nor does the harness library's campaign side (model/harness/campaign.h:
  # strategies, determinism check, reporters): it chooses which executions
  # run, not what an execution does. The Relacy side of model/harness
  # (relacy_runner.h, tree_scheduler.h, dpor, scenario) is hashed.
  if(rel MATCHES "^model/harness/(campaign|determinism|strategy|report)[^/]*$")
    continue()
  endif()
  list(APPEND _files ${f})
endforeach()
tlsm_hash_files(_id ${SOURCE_DIR} ${_files})
tlsm_write_build_info(${OUT} ${_id} "${SOURCE_DIR}/")

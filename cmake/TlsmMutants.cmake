# Reads engine/sync/mutants.def into TLSM_MUTANT_NAMES and TLSM_MUTANT_NUMBER_<name>,
# and resolves the TLSM_MUTANT cache option to its number (TLSM_MUTANT_NUMBER).
file(STRINGS ${CMAKE_SOURCE_DIR}/engine/sync/mutants.def _tlsm_mutant_lines
     REGEX "^TLSM_MUTANT_DEF\\(")
set(TLSM_MUTANT_NAMES "")
foreach(line IN LISTS _tlsm_mutant_lines)
  string(REGEX MATCH "^TLSM_MUTANT_DEF\\(([0-9]+), *([a-z0-9_]+), *\"([^\"]*)\", *\"([^\"]*)\"" _m "${line}")
  list(APPEND TLSM_MUTANT_NAMES ${CMAKE_MATCH_2})
  set(TLSM_MUTANT_NUMBER_${CMAKE_MATCH_2} ${CMAKE_MATCH_1})
  set(TLSM_MUTANT_INVARIANT_${CMAKE_MATCH_2} "${CMAKE_MATCH_3}")
  string(REPLACE " " ";" _scen "${CMAKE_MATCH_4}")
  set(TLSM_MUTANT_SCENARIOS_${CMAKE_MATCH_2} "${_scen}")
endforeach()

set(TLSM_MUTANT_NUMBER 0)
if(TLSM_MUTANT)
  if(NOT DEFINED TLSM_MUTANT_NUMBER_${TLSM_MUTANT})
    message(FATAL_ERROR "TLSM_MUTANT=${TLSM_MUTANT} is not in engine/sync/mutants.def; known: ${TLSM_MUTANT_NAMES}")
  endif()
  set(TLSM_MUTANT_NUMBER ${TLSM_MUTANT_NUMBER_${TLSM_MUTANT}})
endif()

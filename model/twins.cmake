# model/twins.cmake — every model check's twin: the scenarios of each mutant
# in engine/sync/mutants.def, run against that mutant's engine, must find the
# bug (`tlsm check --expect-bug` exits 0 only then), once with every search
# (twin.<name>) and once with the reduced bounded search alone
# (twin_bounded.<name>). Labels: model, mutants.
# Included from model/cli/CMakeLists.txt after tlsm_add_cli is defined.
if(TLSM_MUTANT)
  return()  # a mutant build has no correct engine to share objects with
endif()
foreach(m IN LISTS TLSM_MUTANT_NAMES)
  set(_num ${TLSM_MUTANT_NUMBER_${m}})
  tlsm_add_mutant_model_engine(tlsm_engine_model_${m} ${m})
  tlsm_add_cli(tlsm_mutant_${m} tlsm_engine_model_${m} MUTANT ${_num} MUTANT_NAME ${m})
  if(BUILD_TESTING)
    add_test(NAME twin.${m}
             COMMAND tlsm_mutant_${m} check --expect-bug --no-minimise
                     --results ${CMAKE_BINARY_DIR}/results/mutants/${m}
                     ${TLSM_MUTANT_SCENARIOS_${m}})
    set_tests_properties(twin.${m} PROPERTIES LABELS "model;mutants" TIMEOUT 900)
    # The reduced bounded search alone (no random search) must find it too:
    # the partial-order reduction hides no catalogued bug (every one needs
    # at most 2 preemptions; docs/harness.md, "What a tree search proves").
    add_test(NAME twin_bounded.${m}
             COMMAND tlsm_mutant_${m} check --expect-bug --no-minimise --search bounded
                     --bound 2 --results ${CMAKE_BINARY_DIR}/results/mutants_bounded/${m}
                     ${TLSM_MUTANT_SCENARIOS_${m}})
    set_tests_properties(twin_bounded.${m} PROPERTIES LABELS "model;mutants" TIMEOUT 900)
  endif()
endforeach()

# The generated-program family has teeth too: it must find the relaxed
# publication bug on its own (generated programs, shrunk to a minimal one).
if(BUILD_TESTING)
  add_test(NAME twin.gen.tls_swap_relaxed
           COMMAND tlsm_mutant_tls_swap_relaxed check --expect-bug --no-minimise
                   --search random --iterations 200000
                   --results ${CMAKE_BINARY_DIR}/results/mutants/gen gen.tls_programs)
  set_tests_properties(twin.gen.tls_swap_relaxed PROPERTIES LABELS "model;mutants" TIMEOUT 900)
endif()

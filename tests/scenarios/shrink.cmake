# The shrinker on a deliberately broken protocol. Under the test-only
# AITBC_TEST_BREAK=quorum switch (quorums of a third) FILE fails safety;
# `aitbc-sim shrink` must keep it failing safety and cut it to at most
# MAX_FAULTS faults and MAX_LINES lines, and the shrunk file must pass
# without the switch (the failure is the bug's, not the scenario's).
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
set(small ${OUT}/shrunk.ini)
execute_process(COMMAND ${CMAKE_COMMAND} -E env AITBC_TEST_BREAK=quorum
                        ${BIN} shrink ${FILE} --out ${small}
                WORKING_DIRECTORY ${WORKDIR} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "still fails: safety")
  message(FATAL_ERROR "shrink exited ${rc}\n${out}${err}")
endif()
file(STRINGS ${small} lines REGEX "^[^#].*[^ ]")
file(STRINGS ${small} faults REGEX "^\\[fault ")
list(LENGTH lines n_lines)
list(LENGTH faults n_faults)
if(n_lines GREATER ${MAX_LINES} OR n_faults GREATER ${MAX_FAULTS})
  message(FATAL_ERROR "shrunk to ${n_lines} lines and ${n_faults} faults, want at most ${MAX_LINES} and ${MAX_FAULTS}\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env AITBC_TEST_BREAK=quorum
                        ${BIN} run ${small} --quiet --no-plots --out ${OUT}/broken
                WORKING_DIRECTORY ${WORKDIR} RESULT_VARIABLE brc OUTPUT_VARIABLE bout ERROR_VARIABLE berr)
file(READ ${OUT}/broken/report.json report)
if(NOT brc EQUAL 1 OR NOT report MATCHES "safety violated")
  message(FATAL_ERROR "the shrunk file does not fail safety under the switch (exit ${brc})\n${bout}${berr}")
endif()
execute_process(COMMAND ${BIN} run ${small} --quiet --no-plots --out ${OUT}/fixed
                WORKING_DIRECTORY ${WORKDIR} RESULT_VARIABLE frc OUTPUT_VARIABLE fout ERROR_VARIABLE ferr)
if(NOT frc EQUAL 0)
  message(FATAL_ERROR "the shrunk file fails without the switch (exit ${frc})\n${fout}${ferr}")
endif()
message(STATUS "${out}")

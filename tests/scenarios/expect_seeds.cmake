# Runs one regression scenario on seeds FIRST..LAST (`run INI --seed N`)
# and checks every run exits RC: a target that holds only for the file's
# own seed was tuned to that seed, not met. Lists every failing seed with
# the command that replays it. Used by the `slow` label (tests/CMakeLists.txt).
set(failed "")
foreach(seed RANGE ${FIRST} ${LAST})
  execute_process(COMMAND ${BIN} run ${INI} --seed ${seed} --out ${OUT}/${seed} --quiet
                  WORKING_DIRECTORY ${WORKDIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT "${rc}" STREQUAL "${RC}")
    string(REGEX MATCH "verdict=[a-z]+" verdict "${out}")
    list(APPEND failed "seed ${seed}: exit ${rc} (${verdict}); replay: aitbc-sim run ${INI} --seed ${seed}")
  endif()
endforeach()
if(failed)
  list(LENGTH failed count)
  string(REPLACE ";" "\n" lines "${failed}")
  message(FATAL_ERROR "${count} of seeds ${FIRST}..${LAST} did not exit ${RC}:\n${lines}")
endif()
message(STATUS "seeds ${FIRST}..${LAST} all exit ${RC}")

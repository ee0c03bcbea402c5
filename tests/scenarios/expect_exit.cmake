# Runs BIN with ARGS (a ;-list) in WORKDIR and checks the exit code is RC
# and that stdout+stderr match REGEX. With PIN (a scenario file), a
# "# trace: HEX" line in it pins the run's trace hash too: the scenario
# must not only pass but do exactly what it did when it was written
# (reproducers of fixed bugs, so a change that only hides the bug shows).
# The file is read when the test runs, so a re-pinned hash needs no
# re-configure.
string(REPLACE " " ";" arg_list "${ARGS}")
execute_process(COMMAND ${BIN} ${arg_list}
                WORKING_DIRECTORY ${WORKDIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(NOT "${rc}" STREQUAL "${RC}")
  message(FATAL_ERROR "expected exit ${RC}, got ${rc}\n--- output ---\n${all}")
endif()
if(PIN)
  file(STRINGS ${PIN} trace_line REGEX "^# trace: [0-9a-f]+$" LIMIT_COUNT 1)
  if(trace_line)
    string(REGEX REPLACE "^# trace: ([0-9a-f]+)$" "\\1" trace "${trace_line}")
    set(REGEX "${REGEX}.*trace hash ${trace}")
  endif()
endif()
if(NOT "${all}" MATCHES "${REGEX}")
  message(FATAL_ERROR "output does not match '${REGEX}'\n--- output ---\n${all}")
endif()
message(STATUS "exit ${rc} as expected")

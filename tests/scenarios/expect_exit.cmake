# Runs BIN with ARGS (a ;-list) in WORKDIR and checks the exit code is RC
# and that stdout+stderr match REGEX.
string(REPLACE " " ";" arg_list "${ARGS}")
execute_process(COMMAND ${BIN} ${arg_list}
                WORKING_DIRECTORY ${WORKDIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(NOT "${rc}" STREQUAL "${RC}")
  message(FATAL_ERROR "expected exit ${RC}, got ${rc}\n--- output ---\n${all}")
endif()
if(NOT "${all}" MATCHES "${REGEX}")
  message(FATAL_ERROR "output does not match '${REGEX}'\n--- output ---\n${all}")
endif()
message(STATUS "exit ${rc} as expected")

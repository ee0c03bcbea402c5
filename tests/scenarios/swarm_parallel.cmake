# A small swarm spread over GNU parallel equals the same swarm unsharded.
# Runs BIN swarm on FILE (seeds SEEDS, beyond f so some worlds fail and
# leave reproducers) once unsharded into OUT/whole, then as SHARDS shards
# through `parallel` into OUT/shard-K and merges them with `swarm-merge`;
# the two "swarm result:" lines (counts by class and a digest of every
# seed's outcome and trace hash) must be equal, and so must the sets of
# reproducer files. Skipped (SKIPPED in the output) without GNU parallel.
find_program(PARALLEL parallel)
if(NOT PARALLEL)
  message(STATUS "SKIPPED: GNU parallel is not installed (Debian package parallel; scripts/setup.sh installs it)")
  return()
endif()
file(REMOVE_RECURSE ${OUT})
function(result_line output var)
  string(REGEX MATCH "swarm result: [^\n]*" line "${output}")
  if(NOT line)
    message(FATAL_ERROR "no swarm result line in:\n${output}")
  endif()
  set(${var} "${line}" PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${BIN} swarm ${FILE} --seeds ${SEEDS} --beyond-f --jobs 2 --out ${OUT}/whole
                WORKING_DIRECTORY ${WORKDIR} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc MATCHES "^[01]$")
  message(FATAL_ERROR "unsharded swarm exited ${rc}\n${out}${err}")
endif()
result_line("${out}" whole)

execute_process(COMMAND ${PARALLEL} --will-cite -j 2 ${BIN} swarm ${FILE} --seeds ${SEEDS} --beyond-f
                        --shard {}/${SHARDS} --out ${OUT}/shard-{} ::: ${SHARD_LIST}
                WORKING_DIRECTORY ${WORKDIR} RESULT_VARIABLE prc OUTPUT_VARIABLE pout ERROR_VARIABLE perr)
file(GLOB shard_dirs ${OUT}/shard-*)
list(LENGTH shard_dirs n)
if(NOT n EQUAL ${SHARDS})
  message(FATAL_ERROR "parallel made ${n} shards, not ${SHARDS} (exit ${prc})\n${pout}${perr}")
endif()
execute_process(COMMAND ${BIN} swarm-merge ${OUT}/merged ${shard_dirs}
                WORKING_DIRECTORY ${WORKDIR} RESULT_VARIABLE mrc OUTPUT_VARIABLE mout ERROR_VARIABLE merr)
if(NOT mrc STREQUAL rc)
  message(FATAL_ERROR "merge exited ${mrc}, the unsharded swarm ${rc}\n${mout}${merr}")
endif()
result_line("${mout}" merged)
if(NOT whole STREQUAL merged)
  message(FATAL_ERROR "merged shards differ from the unsharded swarm:\n  ${whole}\n  ${merged}")
endif()

file(GLOB whole_files RELATIVE ${OUT}/whole/failures ${OUT}/whole/failures/*.ini)
file(GLOB shard_files ${OUT}/shard-*/failures/*.ini)
set(shard_names)
foreach(f ${shard_files})
  get_filename_component(name ${f} NAME)
  list(APPEND shard_names ${name})
endforeach()
list(SORT whole_files)
list(SORT shard_names)
if(NOT "${whole_files}" STREQUAL "${shard_names}")
  message(FATAL_ERROR "reproducers differ: ${whole_files} vs ${shard_names}")
endif()
message(STATUS "equal: ${whole}")

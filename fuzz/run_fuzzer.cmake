# One bounded fuzz run (fuzz/CMakeLists.txt): a fresh working corpus, the committed seeds, a fixed
# seed. -rss_limit_mb, -malloc_limit_mb (no input of at most 64 KiB justifies 512 MiB at once) and
# -timeout make a runaway allocation or a hang a failure too.
file(REMOVE_RECURSE ${WORK}/corpus/${NAME})
# Scratch files of targets that need files (index) stay in the build tree, even after a crash.
file(MAKE_DIRECTORY ${WORK}/corpus/${NAME} ${WORK}/artifacts ${WORK}/tmp)
set(ENV{TMPDIR} ${WORK}/tmp)
execute_process(
  COMMAND ${FUZZER} -seed=1 -max_total_time=${SECONDS} -rss_limit_mb=2048 -malloc_limit_mb=512
          -timeout=10 -max_len=65536 -print_final_stats=1 -artifact_prefix=${WORK}/artifacts/${NAME}-
          ${WORK}/corpus/${NAME} ${SEEDS}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "fuzz target ${NAME} failed (${result}); the input is in ${WORK}/artifacts/")
endif()

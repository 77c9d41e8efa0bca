# Warnings as an interface target, so that only our own code gets them.
add_library(h5mf_warnings INTERFACE)
target_compile_options(h5mf_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  $<$<BOOL:${H5MF_WERROR}>:-Werror>)

# Project-wide warning set; FP_WERROR turns them into errors (CI does).
function(fp_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wnull-dereference
    -Wimplicit-fallthrough)
  if(FP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

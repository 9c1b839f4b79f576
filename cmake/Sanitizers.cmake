# ASan + UBSan for the whole build when FP_SANITIZE is on (the test build).
if(FP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# ThreadSanitizer for the tests whose code runs on several threads (scripts/test.sh
# builds only those); it cannot be combined with AddressSanitizer.
if(FP_TSAN)
  if(FP_SANITIZE)
    message(FATAL_ERROR "FP_TSAN and FP_SANITIZE exclude each other: use separate build directories")
  endif()
  # -Wno-tsan: Boost.Asio's fenced blocks use std::atomic_thread_fence, which
  # TSan does not model; asio hands work between threads under mutexes it sees.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
endif()

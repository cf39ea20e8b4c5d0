# Project-wide compile settings applied per target (never directory-wide).

# genesis_target_defaults(<target>): warnings, optional -Werror, sanitizers.
function(genesis_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
  if(GENESIS_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Sanitizers must apply to every object of the build, including tests, so they are
# set as global flags by the preset rather than per target.
if(GENESIS_SANITIZE)
  string(APPEND CMAKE_CXX_FLAGS " -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined")
  string(APPEND CMAKE_EXE_LINKER_FLAGS " -fsanitize=address,undefined")
  string(APPEND CMAKE_SHARED_LINKER_FLAGS " -fsanitize=address,undefined")
endif()
if(GENESIS_TSAN)
  # -Wno-tsan: GCC 12 warns that Asio's atomic_thread_fence is not instrumented.
  string(APPEND CMAKE_CXX_FLAGS " -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan")
  string(APPEND CMAKE_EXE_LINKER_FLAGS " -fsanitize=thread")
  string(APPEND CMAKE_SHARED_LINKER_FLAGS " -fsanitize=thread")
endif()

# Cross-compile the C core for linux-arm64 with Debian's gcc-aarch64-linux-gnu and the
# arm64 libraries of multiarch (dpkg --add-architecture arm64; libseccomp-dev:arm64).
# packaging/release.ts passes this file to cmake-js as CMAKE_TOOLCHAIN_FILE.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_AR aarch64-linux-gnu-ar)
set(CMAKE_RANLIB aarch64-linux-gnu-ranlib)
set(CMAKE_STRIP aarch64-linux-gnu-strip)
# Multiarch puts the arm64 libraries beside the host's (/usr/lib/aarch64-linux-gnu), not
# in a sysroot: naming the library architecture makes find_library look there only.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Every third-party dependency is found here once and wrapped as a target.
#
# LibTorch: Debian's libtorch-dev by default. To build against another LibTorch (for example the
# CUDA-enabled one inside the torch wheel) pass -DFT_TORCH_PREFIX=<dir containing TorchConfig.cmake
# or its prefix>, e.g. $(python -c 'import torch;print(torch.utils.cmake_prefix_path)'), or
# -DFT_TORCH=wheel: the LibTorch of FT_PYTHON's torch (docs/gpu.md; use a build folder of its own).
set(FT_TORCH "debian" CACHE STRING "Which LibTorch: debian (libtorch-dev) or wheel (FT_PYTHON's torch)")
set_property(CACHE FT_TORCH PROPERTY STRINGS debian wheel)
set(FT_TORCH_PREFIX "" CACHE PATH "Prefix of another LibTorch (its CMake prefix path)")
set(FT_PYTHON "${CMAKE_SOURCE_DIR}/.venv/bin/python" CACHE FILEPATH "Python of the reference venv")
if(FT_TORCH STREQUAL "wheel" AND NOT FT_TORCH_PREFIX)
    execute_process(COMMAND "${FT_PYTHON}" -c "import torch; print(torch.utils.cmake_prefix_path)"
                    OUTPUT_VARIABLE _ft_wheel_prefix OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE _ft_wheel_status ERROR_VARIABLE _ft_wheel_error)
    if(NOT _ft_wheel_status EQUAL 0 OR NOT EXISTS "${_ft_wheel_prefix}/Torch/TorchConfig.cmake")
        message(FATAL_ERROR "FT_TORCH=wheel: ${FT_PYTHON} has no torch with LibTorch's CMake "
                            "files (set FT_PYTHON to a Python with torch installed): ${_ft_wheel_error}")
    endif()
    set(FT_TORCH_PREFIX "${_ft_wheel_prefix}" CACHE PATH "Prefix of another LibTorch" FORCE)
elseif(NOT FT_TORCH STREQUAL "wheel" AND NOT FT_TORCH STREQUAL "debian")
    message(FATAL_ERROR "FT_TORCH must be debian or wheel (got ${FT_TORCH})")
endif()
if(FT_TORCH_PREFIX)
    list(PREPEND CMAKE_PREFIX_PATH "${FT_TORCH_PREFIX}")
    # TorchConfig finds libtorch.so and libc10.so with find_library(... PATHS <prefix>/lib), which
    # searches the system folders first: with libtorch-dev installed it took Debian's 1.13 libraries
    # beside the wheel's headers. Its own prefix goes first (site-packages/torch for a wheel).
    foreach(_ft_up "" "/.." "/../..")
        get_filename_component(_ft_torch_root "${FT_TORCH_PREFIX}${_ft_up}" ABSOLUTE)
        if(EXISTS "${_ft_torch_root}/lib/libtorch.so")
            list(PREPEND CMAKE_PREFIX_PATH "${_ft_torch_root}")
            break()
        endif()
    endforeach()
endif()
find_package(Torch REQUIRED)
add_library(ft_torch INTERFACE)
target_link_libraries(ft_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(ft_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
# The torch wheel's LibTorch links its CUDA libraries from site-packages/nvidia/*/lib. Their
# run paths come first (link options precede the libraries' own paths on the command line), so
# that the CUDA runtime torch was built with is found before an older toolkit's in /usr/local/cuda.
if(FT_TORCH_PREFIX)
    get_filename_component(_ft_site_packages "${FT_TORCH_PREFIX}/../../.." ABSOLUTE)
    file(GLOB _ft_wheel_libs "${_ft_site_packages}/nvidia/*/lib")
    foreach(_dir ${_ft_wheel_libs})
        target_link_options(ft_torch INTERFACE "LINKER:-rpath-link,${_dir}" "LINKER:-rpath,${_dir}")
        target_link_directories(ft_torch BEFORE INTERFACE "${_dir}")
    endforeach()
endif()
# TorchConfig puts its flags in TORCH_CXX_FLAGS (e.g. -D_GLIBCXX_USE_CXX11_ABI=0 for pip wheels).
if(TORCH_CXX_FLAGS)
    separate_arguments(_ft_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
    target_compile_options(ft_torch INTERFACE ${_ft_torch_flags})
endif()

find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)

if(FT_BUILD_GUI)
    find_package(Qt6 REQUIRED COMPONENTS Core Gui Widgets Test PrintSupport Concurrent)
    find_package(QCustomPlotQt6 REQUIRED)
    qt_standard_project_setup()
endif()

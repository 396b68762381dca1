# Every third-party dependency is found here once and wrapped as a target.
#
# LibTorch: Debian's libtorch-dev by default. To build against another LibTorch (for example the
# CUDA-enabled one inside the torch wheel) pass -DFT_TORCH_PREFIX=<dir containing TorchConfig.cmake
# or its prefix>, e.g. $(python -c 'import torch;print(torch.utils.cmake_prefix_path)').
set(FT_TORCH_PREFIX "" CACHE PATH "Prefix of another LibTorch (its CMake prefix path)")
if(FT_TORCH_PREFIX)
    list(PREPEND CMAKE_PREFIX_PATH "${FT_TORCH_PREFIX}")
endif()
find_package(Torch REQUIRED)
add_library(ft_torch INTERFACE)
target_link_libraries(ft_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(ft_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
# The torch wheel's LibTorch links its CUDA libraries from site-packages/nvidia/*/lib.
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

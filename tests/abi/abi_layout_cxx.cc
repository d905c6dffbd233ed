// The ABI layout check compiled as C++17: the header must be usable from C++
// (the LLVM pass and C++ guest tools include it).
#define ABI_SETTING "c++17"
#include "abi_layout.c"

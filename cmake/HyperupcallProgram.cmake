# The one rule that builds a hyperupcall program, in this tree and in a
# user's project (installed with the SDK, found by
# find_package(Hyperupcall)):
#
#   hup_add_program(TARGET SRC [OUTPUT FILE.o] [ARGS hupcc-arg...]
#                   [DEPENDS file...])
#
# compiles SRC with hupcc (which also runs the host's verifier on it) into
# OUTPUT (default ${CMAKE_CURRENT_BINARY_DIR}/<SRC's name>.o), built with
# ALL as target TARGET; sets <TARGET>_O in the caller to the object's path.
#
# Whoever includes this file sets HUP_HUPCC (the hupcc to run) and
# HUP_PROGRAM_DEPENDS (what every object depends on: in this tree the
# hupcc and plugin targets and the SDK headers, so a changed header
# rebuilds the objects; installed, hupcc itself).
if(NOT HUP_HUPCC)
  message(FATAL_ERROR "HyperupcallProgram.cmake: HUP_HUPCC is not set")
endif()

function(hup_add_program target src)
  cmake_parse_arguments(P "" "OUTPUT" "ARGS;DEPENDS" ${ARGN})
  if(P_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "hup_add_program(${target}): unknown arguments "
                        "${P_UNPARSED_ARGUMENTS}")
  endif()
  get_filename_component(src ${src} ABSOLUTE)
  get_filename_component(_name ${src} NAME_WE)
  if(NOT P_OUTPUT)
    set(P_OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${_name}.o)
  endif()
  get_filename_component(_dir ${P_OUTPUT} DIRECTORY)
  add_custom_command(OUTPUT ${P_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_dir}
    COMMAND ${HUP_HUPCC} ${P_ARGS} ${src} -o ${P_OUTPUT}
    DEPENDS ${src} ${P_DEPENDS} ${HUP_PROGRAM_DEPENDS}
    COMMENT "hupcc ${_name}.c")
  add_custom_target(${target} ALL DEPENDS ${P_OUTPUT})
  set(${target}_O ${P_OUTPUT} PARENT_SCOPE)
endfunction()

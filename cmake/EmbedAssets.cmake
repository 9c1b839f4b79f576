# fp_embed_assets: compiles web assets (.html/.css/.js/...) into a library at
# build time, so the binary serves them with no files around at run time while
# the sources stay ordinary files that web tools can read and check.
#
#   fp_embed_assets(<target> NAME <name> BASE_DIR <dir> FILES <file>...)
#
# adds to <target> a generated `<name>.h`/`.cpp` (include as
# "generated/<name>.h") declaring
#   std::span<const fp::EmbeddedAsset> fp::<name>();
# with one entry per file: its path relative to BASE_DIR, content type and bytes.
# Editing an asset rebuilds only the generated file.
set(FP_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_assets_script.cmake)

function(fp_embed_assets target)
  cmake_parse_arguments(ARG "" "NAME;BASE_DIR" "FILES" ${ARGN})
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/generated)
  set(out_h ${out_dir}/${ARG_NAME}.h)
  set(out_cpp ${out_dir}/${ARG_NAME}.cpp)
  set(abs_files)
  foreach(f IN LISTS ARG_FILES)
    list(APPEND abs_files ${ARG_BASE_DIR}/${f})
  endforeach()
  string(REPLACE ";" "|" files_arg "${ARG_FILES}")
  add_custom_command(
    OUTPUT ${out_h} ${out_cpp}
    COMMAND ${CMAKE_COMMAND} -DNAME=${ARG_NAME} -DBASE_DIR=${ARG_BASE_DIR}
            "-DFILES=${files_arg}" -DOUT_H=${out_h} -DOUT_CPP=${out_cpp} -P ${FP_EMBED_SCRIPT}
    DEPENDS ${abs_files} ${FP_EMBED_SCRIPT}
    COMMENT "Embedding ${ARG_NAME} assets"
    VERBATIM)
  target_sources(${target} PRIVATE ${out_cpp} ${out_h})
  target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_BINARY_DIR})
endfunction()

# The original plate models the build rewrites for OpenCV 4.6 (see make_cv46_models.py), with
# the sha256 of the files the rewrite was written and checked against. Used at configure time
# (include) and at build time (cmake -DLPR_MODEL_DIR=... -P lpr_models.cmake).
set(LPR_OCR_MODEL_FILES cct_xs_v2_global.onnx yolo-v9-t-416-license-plates-end2end1.onnx)
set(LPR_OCR_SHA256_cct_xs_v2_global.onnx
  8031afb5fdc6b4d80462c9d542f1284ebd2cfddf5dbacd62609848d7e2855f44)
set(LPR_OCR_SHA256_yolo-v9-t-416-license-plates-end2end1.onnx
  5a5eac89c5736f6e0d94ef2422defc8a1eed828b6ad1124d0128df4d47fc2b65)
set(LPR_OCR_SOURCE_cct_xs_v2_global.onnx
  "fast-plate-ocr model cct-xs-v2-global (MIT): https://github.com/ankandrew/fast-plate-ocr/releases/download/arg-plates/cct_xs_v2_global.onnx")
set(LPR_OCR_SOURCE_yolo-v9-t-416-license-plates-end2end1.onnx
  "open-image-models yolo-v9-t-416-license-plate-end2end, dynamic-int8 file of agusibrahim/fast-alpr-rs (MIT; YOLOv9 is GPL-3.0): https://github.com/agusibrahim/fast-alpr-rs/raw/9a4e03d/models/yolo-v9-t-416-license-plates-end2end1.onnx")

function(lpr_verify_models dir)
  foreach(name IN LISTS LPR_OCR_MODEL_FILES)
    set(file "${dir}/${name}")
    if(NOT EXISTS "${file}")
      message(FATAL_ERROR "plate model ${file} is missing. Download it from "
        "${LPR_OCR_SOURCE_${name}} into LPR_MODEL_DIR (now ${dir}), "
        "or configure with -DLPR_BUILD_OCR=OFF.")
    endif()
    file(SHA256 "${file}" sum)
    if(NOT sum STREQUAL LPR_OCR_SHA256_${name})
      message(FATAL_ERROR "plate model ${file} has sha256 ${sum}, expected "
        "${LPR_OCR_SHA256_${name}}: not the file the rewrite was made for. Get the original from "
        "${LPR_OCR_SOURCE_${name}}.")
    endif()
  endforeach()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  lpr_verify_models("${LPR_MODEL_DIR}")
endif()

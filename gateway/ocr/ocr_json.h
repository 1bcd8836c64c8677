#pragma once

#include <string>
#include <vector>

#include "ocr/plate_reader.h"

namespace lpr::ocr {

// One lpr-ocr output line (no newline):
// {"file":"a.jpg","ms":12.3,"plates":[{"text":"AB123CD","confidence":0.93,"box":[x,y,w,h]}]}
// withRaw adds each plate's unrepaired read ("raw") and detector score ("detector").
// withRaw also adds "cpu_ms", the engine's CPU time on this thread (steadier than wall time on
// a loaded machine).
std::string imageResultJson(const std::string& file, double ms,
                            const std::vector<PlateRead>& plates, bool withRaw = false,
                            double cpuMs = 0.0);
// {"file":"a.jpg","error":"..."}
std::string imageErrorJson(const std::string& file, const std::string& error);

}  // namespace lpr::ocr

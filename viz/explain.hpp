// Classroom mode: narrates each step (1)-(9) of a run in plain words, in English or Korean,
// ordered by simulated time, optionally with the bytes of that step beneath it.
// The narration is told from the trace after the run, not while it runs.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "viz/run_data.hpp"

namespace mailsim::viz {

enum class Language { EN, KO };

/// Parses `en` or `ko`; throws InputError naming `--lang` otherwise.
Language parse_language(const std::string& text);

struct ExplainOptions {
  Language language = Language::EN;
  bool transcript = false;  ///< print each step's writes as C:/S: lines beneath it
  int transcript_lines = 40;  ///< lines per write before the rest is summarised (0: all)
  /// When set, wait for a line on this stream after each step (`--step` on a terminal).
  std::istream* pause = nullptr;
};

/// One sentence about one step, e.g. "(3) mail.daum.net asks the name server 10.0.2.100 for
/// the MX of naver.com: ...". Mentions the failure when the step did not end ok.
std::string explain_step(const Step& step, const RunData& run, Language language);

/// Writes the narration of the whole run.
void write_explanation(std::ostream& out, const RunData& run, const ExplainOptions& options);

}  // namespace mailsim::viz

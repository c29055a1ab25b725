// Sequence diagrams of a run: one lifeline per actor (a PC's mail client, Sendmail and its
// mail queue, the name server, the local MDA and mail spool, Dovecot), one arrow per step, per
// SMTP/POP3 command and reply, or per DNS question and answer, in simulated-time order. Long
// waits are compressed into one labelled band, and failed steps are marked (4xx deferral,
// 5xx rejection, refused connection, timeout).
// Output: Graphviz DOT with every node pinned (rendered in-process to SVG, PNG or PDF through
// libgvc), Mermaid `sequenceDiagram` and PlantUML text.
// Not modelled: arrows slanted by their transfer time; rows are evenly spaced and the time
// axis labels each row with its simulated start time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "viz/run_data.hpp"

namespace mailsim::viz {

enum class Detail { STEPS, COMMANDS, BYTES };

/// Parses `steps`, `commands` or `bytes`; throws InputError naming `--detail` otherwise.
Detail parse_detail(const std::string& text);

enum class Role { PC, SENDMAIL, QUEUE, NAMED, MDA, MAILBOX, DOVECOT };

struct Lifeline {
  std::string id;  ///< `host/role`, e.g. `mail.daum.net/sendmail`
  std::string host;
  Role role = Role::PC;
  std::string title;  ///< first label line: "kim's PC", "Sendmail", "mail queue"
};

struct Arrow {
  double time = 0;  ///< simulated seconds when it was sent
  std::size_t from = 0, to = 0;  ///< lifeline indexes
  std::string label;             ///< without the step number
  std::string protocol;          ///< smtp, pop3, dns, queue, local
  int step = 0;                  ///< 1-9, or 0 when the write belongs to no step of a message
  std::string message;           ///< id of the message of that step, empty if none
  std::string outcome = "ok";    ///< ok, deferred, rejected, refused, timeout, negative (DNS)
  std::uint64_t size = 0;        ///< bytes on the wire (0 for steps without a write)
};

/// A compressed wait shown before arrow `before`.
struct Gap {
  std::size_t before = 0;
  double seconds = 0;
  std::string label;  ///< "29.98 s later", with what waits in a queue meanwhile
};

struct SequenceDiagram {
  std::string title;
  Detail detail = Detail::STEPS;
  std::vector<Lifeline> lifelines;  ///< in the order mail meets them
  std::vector<Arrow> arrows;        ///< in time order
  std::vector<Gap> gaps;            ///< ordered by `before`

  /// "(3) MX of naver.com ..." with the failure tag and, in bytes detail, the size.
  std::string arrow_text(const Arrow& arrow) const;
};

struct SequenceOptions {
  std::string message;  ///< only this message's steps and writes; empty: the whole run
  Detail detail = Detail::STEPS;
  double gap_threshold = 2.0;  ///< seconds; a longer pause between arrows becomes a Gap
};

/// Builds the diagram. Throws InputError naming `--message` when no message has that id.
SequenceDiagram build_sequence(const RunData& run, const SequenceOptions& options);

std::string sequence_to_dot(const SequenceDiagram& diagram);
std::string sequence_to_mermaid(const SequenceDiagram& diagram);
std::string sequence_to_plantuml(const SequenceDiagram& diagram);

/// Writes the diagram in the format its extension names: .svg, .png, .pdf (laid out by
/// Graphviz), .dot, .mmd (Mermaid) or .puml (PlantUML). Throws InputError for another
/// extension and std::runtime_error when the file cannot be written.
void write_sequence(const SequenceDiagram& diagram, const std::string& path);

/// A readable length of a wait: "850 ms", "29.98 s", "14 min 59 s", "1 h 00 min".
std::string format_wait(double seconds);

/// Colour of a protocol's arrows, and of failures by outcome (`#rrggbb`).
std::string protocol_colour(const std::string& protocol);
std::string outcome_colour(const std::string& outcome);

/// Which step each write of `run.transcript` belongs to (index into `steps`, or -1). A write
/// belongs to a step when it passes between that step's hosts during the step; a reply after
/// the step's end stays with its connection, a DNS answer with its query, and a lookup made by
/// the step's client up to 1 s before it connects (its server's address) joins that step.
std::vector<int> match_writes(const RunData& run, const std::vector<const Step*>& steps);

/// Every step of every message, ordered by start time then step number.
std::vector<const Step*> all_steps(const RunData& run);

}  // namespace mailsim::viz

// The factory behind `--queue-policy`: picks the policy by name and hands
// it its settings.
#include <memory>

#include "models/queue/exim_policy.hpp"
#include "models/queue/fifo_policy.hpp"
#include "models/queue/policy.hpp"
#include "models/queue/postfix_policy.hpp"
#include "models/queue/sendmail_policy.hpp"
#include "models/queue/spec.hpp"

namespace mailsim::queue {

std::unique_ptr<Policy> make_policy(const std::string& spec) {
  spec::SplitSpec split = spec::split_policy_name(spec);
  if (split.policy == "sendmail") {
    auto settings = spec::split_settings(split, {});
    return std::make_unique<SendmailPolicy>(spec, SendmailPolicy::parse_settings(settings));
  }
  if (split.policy == "postfix") {
    auto settings = spec::split_settings(split, {});
    return std::make_unique<PostfixPolicy>(spec, PostfixPolicy::parse_settings(settings));
  }
  if (split.policy == "exim") {
    // Exim's retry rules contain commas themselves.
    auto settings = spec::split_settings(split, {"retry"});
    return std::make_unique<EximPolicy>(spec, EximPolicy::parse_settings(settings));
  }
  if (split.policy == "fifo") {
    auto settings = spec::split_settings(split, {});
    return std::make_unique<FifoPolicy>(spec, FifoPolicy::parse_settings(settings));
  }
  spec::fail(
      1, "unknown queue policy \"" + split.policy + "\"; expected sendmail, postfix, exim or fifo");
}

}  // namespace mailsim::queue

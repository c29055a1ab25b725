// Builders shared by the queue policy tests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/common/error.hpp"
#include "models/queue/policy.hpp"

namespace mailsim::queue {

inline Item make_item(ItemId id, std::string destination, std::uint64_t size = 100,
                      int recipients = 1, int msg_class = 0) {
  Item item;
  item.id = id;
  item.queue_id = "q" + std::to_string(id);
  item.destination = std::move(destination);
  item.size = size;
  item.recipients = recipients;
  item.msg_class = msg_class;
  return item;
}

inline std::vector<ItemId> ids_of(const std::vector<Item>& items) {
  std::vector<ItemId> ids;
  for (const Item& item : items) ids.push_back(item.id);
  return ids;
}

template <typename Call>
std::optional<InputError> catch_input_error(Call call) {
  try {
    call();
  } catch (const InputError& error) {
    return error;
  }
  return std::nullopt;
}

}  // namespace mailsim::queue

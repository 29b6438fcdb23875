// A bump allocator that owns the memory behind Values.
//
// Values are small handles (see value.h); the strings, sets, records and entity uids they
// point to live in an Arena owned by whoever produced them: a compiled policy set, an
// entity store, a request, or the scratch arena of one evaluation. Everything placed in
// an arena must be trivially destructible, so that releasing an arena is freeing its
// blocks and nothing else, and resetting a scratch arena between requests costs nothing.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace crossgate::cedar {

class Arena {
 public:
  explicit Arena(std::size_t first_block_bytes = 4096) : next_block_bytes_(first_block_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) noexcept = default;
  Arena& operator=(Arena&&) noexcept = default;

  void* allocate(std::size_t bytes, std::size_t align) {
    std::size_t offset = (used_ + align - 1) & ~(align - 1);
    if (current_ == nullptr || offset + bytes > capacity_) {
      grow(bytes + align);
      offset = (used_ + align - 1) & ~(align - 1);
    }
    used_ = offset + bytes;
    return current_ + offset;
  }

  template <class T, class... Args>
  T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    return new (allocate(sizeof(T), alignof(T))) T(std::forward<Args>(args)...);
  }

  template <class T>
  std::span<T> make_array(std::size_t count) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    if (count == 0) return {};
    T* data = static_cast<T*>(allocate(sizeof(T) * count, alignof(T)));
    for (std::size_t i = 0; i < count; ++i)
      new (data + i) T();
    return {data, count};
  }

  std::string_view copy(std::string_view text) {
    if (text.empty()) return {};
    char* data = static_cast<char*>(allocate(text.size(), 1));
    std::memcpy(data, text.data(), text.size());
    return {data, text.size()};
  }

  // Forgets every allocation but keeps the largest block for reuse, so a scratch arena
  // that is reset after each request stops calling malloc once it has warmed up.
  void reset() {
    if (blocks_.size() > 1) {
      Block keep = std::move(blocks_.back());
      blocks_.clear();
      blocks_.push_back(std::move(keep));
      reserved_ = blocks_.back().size;
    }
    current_ = blocks_.empty() ? nullptr : blocks_.back().data.get();
    capacity_ = blocks_.empty() ? 0 : blocks_.back().size;
    used_ = 0;
  }

  std::size_t bytes_reserved() const { return reserved_; }

 private:
  void grow(std::size_t at_least) {
    std::size_t size = next_block_bytes_;
    while (size < at_least)
      size *= 2;
    blocks_.push_back(Block{std::make_unique<char[]>(size), size});
    current_ = blocks_.back().data.get();
    capacity_ = size;
    used_ = 0;
    reserved_ += size;
    next_block_bytes_ = size * 2;
  }

  struct Block {
    std::unique_ptr<char[]> data;
    std::size_t size;
  };
  std::vector<Block> blocks_;
  char* current_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
  std::size_t reserved_ = 0;
  std::size_t next_block_bytes_;
};

}  // namespace crossgate::cedar

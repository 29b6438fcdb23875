// Puts each call's request and answer on one protobuf Arena, for gRPC's callback API
// (Service::SetMessageAllocatorFor_<Method>). A decision's answer holds dozens of strings
// and submessages; on the heap each is a malloc on the thread that builds it and a free on
// the thread that ends the call, which on a busy daemon cost more than the decision. On an
// arena they share a block that starts inside the holder: one allocation per call, freed
// at once when gRPC releases the messages.
#pragma once

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

#include <cstddef>

namespace crossgate::server {

template <class Request, class Response, std::size_t kInitialBlockBytes = 8192>
class ArenaMessageAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override { return new Holder; }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(options(initial_block_)) {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions options(char* block) {
      google::protobuf::ArenaOptions o;
      o.initial_block = block;
      o.initial_block_size = kInitialBlockBytes;
      return o;
    }

    // Declared before the arena, which uses it from construction to destruction.
    alignas(std::max_align_t) char initial_block_[kInitialBlockBytes];
    google::protobuf::Arena arena_;
  };
};

}  // namespace crossgate::server

// properties/common/worker.h — a real thread that runs one task at a time
// for the test thread (shared by the property tests). Optional hooks run on
// the worker thread itself: on_start before its first task, on_exit just
// before the thread returns (its row teardown runs right after).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

namespace tlsm::prop {

class Worker {
 public:
  explicit Worker(std::function<void()> on_start = {}, std::function<void()> on_exit = {})
      : on_start_(std::move(on_start)), on_exit_(std::move(on_exit)), thread_([this] { Loop(); }) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() { Exit(); }

  template <class F>
  auto Call(F&& f) -> decltype(f()) {
    using R = decltype(f());
    if constexpr (std::is_void_v<R>) {
      Post([&] { f(); });
    } else {
      std::optional<R> r;
      Post([&] { r.emplace(f()); });
      return std::move(*r);
    }
  }
  // Ends the thread and waits: its thread-exit handlers have run on return.
  void Exit() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> l(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Post(std::function<void()> f) {
    std::unique_lock<std::mutex> l(mu_);
    task_ = std::move(f);
    cv_.notify_all();
    cv_.wait(l, [&] { return !task_; });
  }
  void Loop() {
    if (on_start_) on_start_();
    std::unique_lock<std::mutex> l(mu_);
    for (;;) {
      cv_.wait(l, [&] { return task_ || quit_; });
      if (task_) {
        l.unlock();
        task_();
        l.lock();
        task_ = nullptr;
        cv_.notify_all();
        continue;
      }
      if (on_exit_) on_exit_();
      return;
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> task_;
  bool quit_ = false;
  const std::function<void()> on_start_;
  const std::function<void()> on_exit_;
  std::thread thread_;  // last: starts after the fields above exist
};

}  // namespace tlsm::prop

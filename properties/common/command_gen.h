// properties/common/command_gen.h — generating rapidcheck state commands.
#pragma once

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <memory>

namespace tlsm::prop {

// A generator of one command of type C, constructed from the model (C's
// constructor draws its parameters with *rc::gen::... and checks its
// preconditions against the model). The model is shared, not copied per
// command, by the generators of one step.
template <class C>
rc::Gen<std::shared_ptr<const typename C::CommandType>> MakeCommand(
    std::shared_ptr<const typename C::Model> m) {
  using Ptr = std::shared_ptr<const typename C::CommandType>;
  return rc::gen::exec([m] { return Ptr(std::make_shared<C>(*m)); });
}

}  // namespace tlsm::prop

// What a component includes to log through its injected logger.
#pragma once

#include <genesis/log/fwd.hpp>

#include <spdlog/logger.h>

// The whole public API, for applications (library code includes what it uses).
#pragma once

#include "h5mf/attributes.hpp"
#include "h5mf/dataset.hpp"
#include "h5mf/datatype.hpp"
#include "h5mf/error.hpp"
#include "h5mf/file.hpp"
#include "h5mf/group.hpp"
#include "h5mf/limits.hpp"
#include "h5mf/merge.hpp"
#include "h5mf/options.hpp"
#include "h5mf/progress.hpp"
#include "h5mf/selection.hpp"
#include "h5mf/verify.hpp"
#include "h5mf/warnings.hpp"

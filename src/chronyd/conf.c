/* placeholder; see conf.h */
#include "chronyd/conf.h"

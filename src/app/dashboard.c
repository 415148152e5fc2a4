/* dashboard.c — cmd_dashboard and cmd_replay (being written). */
#include "app.h"

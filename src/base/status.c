#include "base/status.h"

static const char *const messages[] = {
#define VG_STATUS_MSG(name, msg) msg,
	VG_STATUS_LIST(VG_STATUS_MSG)
#undef VG_STATUS_MSG
};

static const char *const names[] = {
#define VG_STATUS_NAME(name, msg) #name,
	VG_STATUS_LIST(VG_STATUS_NAME)
#undef VG_STATUS_NAME
};

const char *vg_strerror(int rc)
{
	if (rc < 0 || rc >= VG_STATUS_COUNT)
		return "unknown status";
	return messages[rc];
}

const char *vg_status_name(int rc)
{
	if (rc < 0 || rc >= VG_STATUS_COUNT)
		return "UNKNOWN";
	return names[rc];
}

// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "devices.h"

int inventory_add(struct dev_inventory *inv, const struct dev_desc *d)
{
	unsigned int i;

	if (inv->nr == INVENTORY_MAX_DEVS)
		return -ENOSPC;
	for (i = 0; i < inv->nr; i++)
		if (!strcmp(inv->devs[i].name, d->name))
			return -EEXIST;
	inv->devs[inv->nr++] = *d;
	return 0;
}

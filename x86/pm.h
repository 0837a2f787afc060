/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_PM_H
#define LKVM_X86_PM_H

struct vm;

int x86_pm_init(struct vm *vm);

#endif

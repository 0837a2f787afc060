/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VCPU_H
#define LKVM_VCPU_H

#include "vm.h"

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id, struct err_msg *e);
/* Installs the (empty) signal handler used to kick vCPUs out of KVM_RUN. */
int vcpu_signals_init(void);
int vcpu_start(struct vcpu *vcpu);
/* Makes a running vCPU return from KVM_RUN and see that the VM is stopping. */
void vcpu_kick(struct vcpu *vcpu);
void vcpu_join(struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);

#endif

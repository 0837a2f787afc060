#!/bin/sh
# Guest side of the RTC check: the wall clock the guest set from its RTC at boot.
echo "LKVM-GUEST: clock $(date +%s) end"

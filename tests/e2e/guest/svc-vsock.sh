#!/bin/sh
# Guest side of the vsock check: echo one connection on port 1234.
vsock-echo listen 1234 &
sleep 1
echo "LKVM-GUEST: vsock listening"
wait
echo "LKVM-GUEST: vsock done"

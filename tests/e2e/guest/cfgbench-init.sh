#!/bin/sh
# scripts/stress-boot's measuring guest: config reads by type-1 and ECAM.
. /common.sh
echo PTVM-INIT
/bin/cfgbench -n "$(arg ptvm.cfg_n)"
finish

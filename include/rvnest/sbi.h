/* SBI extension and error numbers (riscv-sbi-doc). */
#ifndef RVNEST_SBI_H
#define RVNEST_SBI_H

#define SBI_EXT_LEGACY_SET_TIMER        0x00
#define SBI_EXT_LEGACY_PUTCHAR          0x01
#define SBI_EXT_LEGACY_GETCHAR          0x02
#define SBI_EXT_LEGACY_CLEAR_IPI        0x03
#define SBI_EXT_LEGACY_SEND_IPI         0x04
#define SBI_EXT_LEGACY_REMOTE_FENCE_I   0x05
#define SBI_EXT_LEGACY_REMOTE_SFENCE    0x06
#define SBI_EXT_LEGACY_REMOTE_SFENCE_ASID 0x07
#define SBI_EXT_LEGACY_SHUTDOWN         0x08
#define SBI_EXT_BASE    0x10
#define SBI_EXT_TIME    0x54494D45
#define SBI_EXT_IPI     0x735049
#define SBI_EXT_RFENCE  0x52464E43
#define SBI_RFENCE_HFENCE_GVMA_VMID 3
#define SBI_RFENCE_HFENCE_GVMA      4
#define SBI_EXT_HSM     0x48534D
#define SBI_EXT_SRST    0x53525354
#define SBI_EXT_FWFT    0x46574654
#define SBI_EXT_DBCN    0x4442434E

#define SBI_BASE_GET_SPEC_VERSION   0
#define SBI_BASE_PROBE_EXT          3

#define SBI_HSM_HART_START      0
#define SBI_HSM_HART_STOP       1
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_HSM_HART_SUSPEND    3
#define SBI_HSM_STATE_STARTED   0

#define SBI_DBCN_WRITE      0
#define SBI_DBCN_READ       1
#define SBI_DBCN_WRITE_BYTE 2

#define SBI_SUCCESS                 0
#define SBI_ERR_FAILED              (-1)
#define SBI_ERR_NOT_SUPPORTED       (-2)
#define SBI_ERR_INVALID_PARAM       (-3)
#define SBI_ERR_DENIED              (-4)
#define SBI_ERR_INVALID_ADDRESS     (-5)
#define SBI_ERR_ALREADY_AVAILABLE   (-6)

#endif

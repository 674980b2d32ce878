/* rvnest-vmm: a minimal 16550A UART, output only and without interrupts.
 *
 * Enough for Linux's 8250 driver and for early console output from bare-metal
 * programs: THR writes go to out_fd, LSR always reports an empty transmitter
 * and no received data. The other
 * registers just hold what was written. The transmitter is always empty, so
 * IIR reports a THR-empty interrupt whenever it is enabled. Register map (reg-shift 0) per the
 * TI/NS PC16550D datasheet. */
#include <unistd.h>

#include "vmm.h"

enum {
    UART_RBR_THR_DLL = 0, UART_IER_DLM = 1, UART_IIR_FCR = 2, UART_LCR = 3,
    UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};
#define LCR_DLAB      0x80
#define LSR_THRE      0x20  /* transmit holding register empty */
#define LSR_TEMT      0x40  /* transmitter empty */
#define IIR_NO_INT    0x01
#define IIR_THRI      0x02  /* transmit holding register empty */
#define IER_THRI      0x02
#define IIR_FIFO_ON   0xc0
#define MSR_DCD_DSR_CTS 0xb0

void uart_init(struct uart16550 *u, int out_fd)
{
    *u = (struct uart16550){ .out_fd = out_fd };
}

bool uart_read(struct uart16550 *u, uint64_t off, uint8_t *val)
{
    bool dlab = u->lcr & LCR_DLAB;
    switch (off) {
    case UART_RBR_THR_DLL: *val = dlab ? u->dll : 0; break;
    case UART_IER_DLM:     *val = dlab ? u->dlm : u->ier; break;
    case UART_IIR_FCR:
        /* No interrupt line is wired, but Linux's 8250 driver polls IIR
         * from a timer when the port has no IRQ: report "THR empty" while
         * that interrupt is enabled, or it never sends its queued output. */
        *val = (u->ier & IER_THRI ? IIR_THRI : IIR_NO_INT) | IIR_FIFO_ON;
        break;
    case UART_LCR:         *val = u->lcr; break;
    case UART_MCR:         *val = u->mcr; break;
    case UART_LSR:         *val = LSR_THRE | LSR_TEMT; break;
    case UART_MSR:         *val = MSR_DCD_DSR_CTS; break;
    case UART_SCR:         *val = u->scr; break;
    default: return false;
    }
    return true;
}

bool uart_write(struct uart16550 *u, uint64_t off, uint8_t val)
{
    bool dlab = u->lcr & LCR_DLAB;
    switch (off) {
    case UART_RBR_THR_DLL:
        if (dlab)
            u->dll = val;
        else if (u->out_fd >= 0 && write(u->out_fd, &val, 1) < 0)
            return true;    /* a closed stdout must not kill the guest */
        break;
    case UART_IER_DLM:
        if (dlab) u->dlm = val; else u->ier = val & 0x0f;
        break;
    case UART_IIR_FCR: break;  /* FIFO control: nothing to model */
    case UART_LCR: u->lcr = val; break;
    case UART_MCR: u->mcr = val & 0x1f; break;
    case UART_LSR: case UART_MSR: break;  /* read-only */
    case UART_SCR: u->scr = val; break;
    default: return false;
    }
    return true;
}

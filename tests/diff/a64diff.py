#!/usr/bin/env python3
"""Differential test of mew's arm64 interpreter against qemu-aarch64.

Generates random AArch64 instruction sequences (integer ALU with random
operands and flags; floating point with NaNs, infinities, denormals and every
rounding mode), builds them into one static program that runs each case from
a random register state and writes the final state (x0-x27, NZCV, FPSR,
q0-q31) to stdout, runs that program under qemu-aarch64 and under
`mew run --engine emulate` (with the translator and with the interpreter
alone, MEW_A64_JIT=0), and compares each with qemu's byte for byte.

    tests/diff/a64diff.py --seed 1 --cases 200 --kind int
Exit status 0 when both agree; otherwise the differing cases are printed
with their instructions disassembled.
"""
import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

NREG = 28  # x0..x27 are fair game; x28-x30 and sp belong to the harness
STATE = 28 * 8 + 8 + 8 + 32 * 16


def r(rng):
    return rng.randrange(NREG)


# ---- integer instructions, as raw encodings ----

def bitmask_imm(rng, sf):
    sizes = [2, 4, 8, 16, 32] + ([64] if sf else [])
    e = rng.choice(sizes)
    s = rng.randrange(1, e)
    rot = rng.randrange(e)
    if e == 64:
        n, imms = 1, s - 1
    else:
        n = 0
        prefix = {32: 0b000000, 16: 0b100000, 8: 0b110000, 4: 0b111000, 2: 0b111100}[e]
        imms = prefix | (s - 1)
    return n, rot, imms


def gen_int(rng):
    sf = rng.randrange(2)
    rd, rn, rm, ra = r(rng), r(rng), r(rng), r(rng)
    k = rng.randrange(16)
    if k == 0:  # add/sub (s) immediate
        return (sf << 31) | (rng.randrange(2) << 30) | (rng.randrange(2) << 29) | (0b100010 << 23) | \
            (rng.randrange(2) << 22) | (rng.randrange(4096) << 10) | (rn << 5) | rd
    if k == 1:  # add/sub (s) shifted register
        return (sf << 31) | (rng.randrange(2) << 30) | (rng.randrange(2) << 29) | (0b01011 << 24) | \
            (rng.randrange(3) << 22) | (rm << 16) | (rng.randrange(32 << sf) << 10) | (rn << 5) | rd
    if k == 2:  # add/sub (s) extended register
        return (sf << 31) | (rng.randrange(2) << 30) | (rng.randrange(2) << 29) | (0b01011001 << 21) | \
            (rm << 16) | (rng.randrange(8) << 13) | (rng.randrange(5) << 10) | (rn << 5) | rd
    if k == 3:  # adc/sbc (s)
        return (sf << 31) | (rng.randrange(2) << 30) | (rng.randrange(2) << 29) | (0b11010000 << 21) | \
            (rm << 16) | (rn << 5) | rd
    if k == 4:  # logical shifted register
        return (sf << 31) | (rng.randrange(4) << 29) | (0b01010 << 24) | (rng.randrange(4) << 22) | \
            (rng.randrange(2) << 21) | (rm << 16) | (rng.randrange(32 << sf) << 10) | (rn << 5) | rd
    if k == 5:  # logical immediate
        n, immr, imms = bitmask_imm(rng, sf)
        return (sf << 31) | (rng.randrange(4) << 29) | (0b100100 << 23) | (n << 22) | (immr << 16) | \
            (imms << 10) | (rn << 5) | rd
    if k == 6:  # move wide
        opc = rng.choice([0, 2, 3])
        return (sf << 31) | (opc << 29) | (0b100101 << 23) | (rng.randrange(2 + 2 * sf) << 21) | \
            (rng.randrange(65536) << 5) | rd
    if k == 7:  # bitfield
        w = 32 << sf
        return (sf << 31) | (rng.randrange(3) << 29) | (0b100110 << 23) | (sf << 22) | \
            (rng.randrange(w) << 16) | (rng.randrange(w) << 10) | (rn << 5) | rd
    if k == 8:  # extract
        return (sf << 31) | (0b00100111 << 23) | (sf << 22) | (rm << 16) | (rng.randrange(32 << sf) << 10) | \
            (rn << 5) | rd
    if k == 9:  # conditional compare, register or immediate
        imm = rng.randrange(2)
        return (sf << 31) | (rng.randrange(2) << 30) | (1 << 29) | (0b11010010 << 21) | \
            ((rng.randrange(32) if imm else rm) << 16) | (rng.randrange(16) << 12) | (imm << 11) | \
            (rn << 5) | rng.randrange(16)
    if k == 10:  # conditional select
        return (sf << 31) | (rng.randrange(2) << 30) | (0b11010100 << 21) | (rm << 16) | \
            (rng.randrange(16) << 12) | (rng.randrange(2) << 10) | (rn << 5) | rd
    if k == 11:  # data processing, 1 source
        opc = rng.choice([0, 1, 2, 4, 5] + ([3] if sf else []))
        return (sf << 31) | (1 << 30) | (0b11010110 << 21) | (opc << 10) | (rn << 5) | rd
    if k == 12:  # data processing, 2 sources
        opc = rng.choice([2, 3, 8, 9, 10, 11])
        return (sf << 31) | (0b11010110 << 21) | (rm << 16) | (opc << 10) | (rn << 5) | rd
    if k == 13:  # multiply-add
        if sf:
            op31, o0 = rng.choice([(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (5, 0), (5, 1), (6, 0)])
        else:
            op31, o0 = 0, rng.randrange(2)
        return (sf << 31) | (0b11011 << 24) | (op31 << 21) | (rm << 16) | (o0 << 15) | (ra << 10) | \
            (rn << 5) | rd
    if k == 14:  # read the flags into a register: cset-like csinc
        return (sf << 31) | (0b0011010100 << 21) | (31 << 16) | (rng.randrange(16) << 12) | (1 << 10) | \
            (31 << 5) | rd
    # adr
    return (rng.randrange(4) << 29) | (0b10000 << 24) | (rng.randrange(1 << 19) << 5) | rd


# ---- floating point ----

def fp_values():
    d = [0.0, -0.0, 1.0, -1.5, 2.5, 3.5, -2.5, 0.1, 1e308, -1e308, 5e-324, -5e-324, 2.2250738585072014e-308,
         float('inf'), float('-inf'), 2.0 ** 63, -2.0 ** 63, 2.0 ** 64, 2.0 ** 31, -2.0 ** 31 - 0.5,
         4294967295.5, 0.5, -0.5, 1.5, 123456789.987654321, 1e-310]
    bits_d = [struct.unpack('<Q', struct.pack('<d', x))[0] for x in d]
    bits_d += [0x7ff8000000000000, 0xfff8000000000001, 0x7ff4000000000000, 0x7ff0000000000001,
               0x000fffffffffffff, 0x8000000000000001]
    s = [0.0, -0.0, 1.0, -1.5, 2.5, 0.1, 3.4e38, -3.4e38, 1e-45, 1.17549435e-38, float('inf'),
         float('-inf'), 2.0 ** 31, -2.0 ** 31, 2.0 ** 32, 0.5, -2.5, 16777217.0, 1e-40]
    bits_s = [struct.unpack('<I', struct.pack('<f', x))[0] for x in s]
    bits_s += [0x7fc00000, 0xffc00001, 0x7fa00000, 0x7f800001, 0x007fffff, 0x80000001]
    return bits_d, bits_s


def gen_fp(rng):
    t = rng.randrange(2)  # 0 single, 1 double
    rd, rn, rm, ra = rng.randrange(32), rng.randrange(32), rng.randrange(32), rng.randrange(32)
    k = rng.randrange(12)
    if k < 3:  # two source arithmetic
        opc = rng.randrange(9)
        return (0b00011110 << 24) | (t << 22) | (1 << 21) | (rm << 16) | (opc << 12) | (0b10 << 10) | \
            (rn << 5) | rd
    if k == 3:  # fused multiply-add
        return (0b00011111 << 24) | (t << 22) | (rng.randrange(2) << 21) | (rm << 16) | \
            (rng.randrange(2) << 15) | (ra << 10) | (rn << 5) | rd
    if k == 4:  # one source: fmov fabs fneg fsqrt fcvt frint*
        opc = rng.choice([0, 1, 2, 3, 5 if t == 0 else 4, 8, 9, 10, 11, 12, 14, 15])
        return (0b00011110 << 24) | (t << 22) | (1 << 21) | (opc << 15) | (0b10000 << 10) | (rn << 5) | rd
    if k == 5:  # compare
        return (0b00011110 << 24) | (t << 22) | (1 << 21) | (rm << 16) | (0b001000 << 10) | (rn << 5) | \
            (rng.randrange(4) << 3)
    if k == 6:  # conditional compare
        return (0b00011110 << 24) | (t << 22) | (1 << 21) | (rm << 16) | (rng.randrange(16) << 12) | \
            (0b01 << 10) | (rn << 5) | (rng.randrange(2) << 4) | rng.randrange(16)
    if k == 7:  # conditional select
        return (0b00011110 << 24) | (t << 22) | (1 << 21) | (rm << 16) | (rng.randrange(16) << 12) | \
            (0b11 << 10) | (rn << 5) | rd
    if k == 8:  # float -> integer, every rounding
        sf = rng.randrange(2)
        rmode, opc = rng.choice([(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (0, 4), (0, 5)])
        return (sf << 31) | (0b0011110 << 24) | (t << 22) | (1 << 21) | (rmode << 19) | (opc << 16) | \
            (rn << 5) | r(rng)
    if k == 9:  # integer -> float
        sf = rng.randrange(2)
        return (sf << 31) | (0b0011110 << 24) | (t << 22) | (1 << 21) | ((2 + rng.randrange(2)) << 16) | \
            (r(rng) << 5) | rd
    if k == 10:  # fmov immediate
        return (0b00011110 << 24) | (t << 22) | (1 << 21) | (rng.randrange(256) << 13) | (0b100 << 10) | rd
    # fmov between general and fp registers
    sf = t
    opc = 6 + rng.randrange(2)
    src = r(rng) if opc == 7 else rn
    dst = rd if opc == 7 else r(rng)
    return (sf << 31) | (0b0011110 << 24) | (t << 22) | (1 << 21) | (opc << 16) | (src << 5) | dst


# ---- Advanced SIMD (vector forms) ----

SAME = [  # (U, opcode, allowed sizes)
    (0, 0x10, 4), (1, 0x10, 4), (1, 0x11, 4), (0, 0x11, 4), (0, 6, 4), (1, 6, 4), (0, 7, 4), (1, 7, 4),
    (0, 0xc, 3), (1, 0xc, 3), (0, 0xd, 3), (1, 0xd, 3), (0, 0x13, 3), (0, 0x12, 3), (1, 0x12, 3),
    (0, 0x17, 4), (0, 0x14, 3), (1, 0x14, 3), (0, 0x15, 3), (1, 0x15, 3), (0, 8, 4), (1, 8, 4),
    (0, 1, 4), (1, 1, 4), (0, 5, 4), (1, 5, 4), (0, 0xe, 3), (1, 0xe, 3), (0, 0, 3), (1, 0, 3),
    (0, 2, 3), (1, 2, 3), (0, 3, 4), (1, 3, 4)]
MISC = [  # (U, opcode, sizes allowed as a list)
    (0, 0, [0, 1, 2]), (1, 0, [0, 1]), (0, 1, [0]), (0, 5, [0]), (1, 5, [0, 1]), (1, 4, [0, 1, 2]),
    (0, 4, [0, 1, 2]), (0, 8, [0, 1, 2, 3]), (1, 8, [0, 1, 2, 3]), (0, 9, [0, 1, 2, 3]), (1, 9, [0, 1, 2, 3]),
    (0, 0xa, [0, 1, 2, 3]), (0, 0xb, [0, 1, 2, 3]), (1, 0xb, [0, 1, 2, 3]), (0, 0x12, [0, 1, 2]),
    (1, 2, [0, 1, 2]), (0, 2, [0, 1, 2])]


FSAME = [  # (U, a, opcode): FADD FSUB FMUL FDIV FMAX FMIN FMAXNM FMINNM FMLA FMLS FCMEQ FCMGE FCMGT
    # FADDP FABD FACGE FACGT FMAXP FMINP FMULX
    (0, 0, 0x1a), (0, 1, 0x1a), (1, 0, 0x1b), (1, 0, 0x1f), (0, 0, 0x1e), (0, 1, 0x1e), (0, 0, 0x18),
    (0, 1, 0x18), (0, 0, 0x19), (0, 1, 0x19), (0, 0, 0x1c), (1, 0, 0x1c), (1, 1, 0x1c), (1, 0, 0x1a),
    (1, 1, 0x1a), (1, 0, 0x1d), (1, 1, 0x1d), (1, 0, 0x1e), (1, 1, 0x1e), (0, 0, 0x1b)]


FMISC = [  # (U, bit 23, opcode): FRINTN/M/P/Z/A/X/I, FCVT{N,M,A,P,Z}{S,U}, SCVTF, UCVTF, compares
    # with zero, FABS, FNEG, FSQRT (not FRECPE/FRSQRTE: mew answers exactly, not ARM's estimate)
    (0, 0, 0x18), (0, 0, 0x19), (0, 1, 0x18), (0, 1, 0x19), (1, 0, 0x18), (1, 0, 0x19), (1, 1, 0x19),
    (0, 0, 0x1a), (0, 0, 0x1b), (0, 0, 0x1c), (0, 1, 0x1a), (0, 1, 0x1b), (1, 0, 0x1a), (1, 0, 0x1b),
    (1, 0, 0x1c), (1, 1, 0x1a), (1, 1, 0x1b), (0, 0, 0x1d), (1, 0, 0x1d), (0, 1, 0xc), (0, 1, 0xd),
    (0, 1, 0xe), (1, 1, 0xc), (1, 1, 0xd), (0, 1, 0xf), (1, 1, 0xf), (1, 1, 0x1f)]


def gen_simd(rng):
    q = rng.randrange(2)
    rd, rn, rm = rng.randrange(32), rng.randrange(32), rng.randrange(32)
    k = rng.randrange(16)
    if k == 15:  # floating-point by element: FMUL FMLA FMLS
        opc = rng.choice([1, 5, 9])
        sz = rng.randrange(2)
        if sz:
            q, h, l = 1, rng.randrange(2), 0
        else:
            h, l = rng.randrange(2), rng.randrange(2)
        return (q << 30) | (0b01111 << 24) | (1 << 23) | (sz << 22) | (l << 21) | (rm << 16) | (opc << 12) | \
            (h << 11) | (rn << 5) | rd
    if k == 13:  # floating-point two-register misc, vector (and FCVTL/FCVTN single <-> double)
        if rng.randrange(8) == 0:
            return (q << 30) | (0b01110 << 24) | (1 << 22) | (0b10000 << 17) | \
                (rng.choice([0x16, 0x17]) << 12) | (0b10 << 10) | (rn << 5) | rd
        u, b23, opc = rng.choice(FMISC)
        sz = rng.randrange(2)
        if sz:
            q = 1
        return (q << 30) | (u << 29) | (0b01110 << 24) | (b23 << 23) | (sz << 22) | (0b10000 << 17) | \
            (opc << 12) | (0b10 << 10) | (rn << 5) | rd
    if k == 14:  # floating-point across lanes: FMAXNMV FMAXV FMINNMV FMINV (.4s)
        o1, opc = rng.choice([(0, 0xc), (0, 0xf), (1, 0xc), (1, 0xf)])
        return (1 << 30) | (1 << 29) | (0b01110 << 24) | (o1 << 23) | (0b11000 << 17) | (opc << 12) | \
            (0b10 << 10) | (rn << 5) | rd
    if k == 12:  # floating-point three-same, vector
        u, a, opc = rng.choice(FSAME)
        sz = rng.randrange(2)
        if sz:
            q = 1
        return (q << 30) | (u << 29) | (0b01110 << 24) | (a << 23) | (sz << 22) | (1 << 21) | (rm << 16) | \
            (opc << 11) | (1 << 10) | (rn << 5) | rd
    if k < 3:
        u, opc, nsz = rng.choice(SAME)
        size = rng.randrange(nsz)
        if size == 3:
            q = 1
        return (q << 30) | (u << 29) | (0b01110 << 24) | (size << 22) | (1 << 21) | (rm << 16) | (opc << 11) | \
            (1 << 10) | (rn << 5) | rd
    if k == 3:
        u, opc, sizes = rng.choice(MISC)
        size = rng.choice(sizes)
        if size == 3:
            q = 1
        return (q << 30) | (u << 29) | (0b01110 << 24) | (size << 22) | (0b10000 << 17) | (opc << 12) | \
            (0b10 << 10) | (rn << 5) | rd
    if k == 4:  # across lanes
        u, opc = rng.choice([(0, 0x1b), (1, 0xa), (1, 0x1a), (0, 0xa), (0, 0x1a), (1, 3), (0, 3)])
        size = rng.randrange(3)
        if size == 2:
            q = 1
        return (q << 30) | (u << 29) | (0b01110 << 24) | (size << 22) | (0b11000 << 17) | (opc << 12) | \
            (0b10 << 10) | (rn << 5) | rd
    if k == 5:  # copy
        sz = rng.randrange(4)
        imm5 = (rng.randrange(16 >> sz) << (sz + 1)) | (1 << sz)
        form = rng.randrange(5)
        if form == 0:  # DUP element
            if sz == 3:
                q = 1
            return (q << 30) | (0b001110000 << 21) | (imm5 << 16) | (1 << 10) | (rn << 5) | rd
        if form == 1:  # DUP general
            if sz == 3:
                q = 1
            return (q << 30) | (0b001110000 << 21) | (imm5 << 16) | (1 << 11) | (1 << 10) | (r(rng) << 5) | rd
        if form == 2:  # INS general
            return (1 << 30) | (0b001110000 << 21) | (imm5 << 16) | (3 << 11) | (1 << 10) | (r(rng) << 5) | rd
        if form == 3:  # INS element
            return (1 << 30) | (1 << 29) | (0b01110000 << 21) | (imm5 << 16) | \
                (rng.randrange(16 >> sz) << (11 + sz)) | (1 << 10) | (rn << 5) | rd
        # UMOV
        q = 1 if sz == 3 else 0
        if sz == 3 or rng.randrange(2):
            return (q << 30) | (0b001110000 << 21) | (imm5 << 16) | (7 << 11) | (1 << 10) | (rn << 5) | r(rng)
        sz = rng.randrange(2 + q)  # SMOV
        imm5 = (rng.randrange(16 >> sz) << (sz + 1)) | (1 << sz)
        q = rng.randrange(2) if sz < 2 else 1
        return (q << 30) | (0b001110000 << 21) | (imm5 << 16) | (5 << 11) | (1 << 10) | (rn << 5) | r(rng)
    if k == 6:  # modified immediate
        op, cmode = rng.randrange(2), rng.randrange(16)
        if cmode == 15 and op:
            q = 1
        imm8 = rng.randrange(256)
        return (q << 30) | (op << 29) | (0b0111100000 << 19) | ((imm8 >> 5) << 16) | (cmode << 12) | \
            (1 << 10) | ((imm8 & 31) << 5) | rd
    if k == 7:  # shift by immediate
        size = rng.randrange(4)
        u, opc, narrow = rng.choice([(0, 0, 0), (1, 0, 0), (0, 2, 0), (1, 2, 0), (0, 0xa, 0), (1, 0xa, 0),
                                     (1, 8, 0), (0, 0x10, 1), (0, 0x14, 1), (1, 0x14, 1), (0, 4, 0), (1, 4, 0)])
        if narrow:
            size = rng.randrange(3)
        if size == 3:
            q = 1
        esize = 8 << size
        if opc in (0xa, 0x14):
            sh = rng.randrange(esize)
            hb = esize + sh
        else:
            sh = rng.randrange(1, esize + 1)
            hb = 2 * esize - sh
        return (q << 30) | (u << 29) | (0b011110 << 23) | (hb << 16) | (opc << 11) | (1 << 10) | (rn << 5) | rd
    if k == 8:  # permute
        size = rng.randrange(4)
        if size == 3:
            q = 1
        return (q << 30) | (0b001110 << 24) | (size << 22) | (rm << 16) | (rng.choice([1, 2, 3, 5, 6, 7]) << 12) | \
            (0b10 << 10) | (rn << 5) | rd
    if k == 9:  # EXT
        imm4 = rng.randrange(16 if q else 8)
        return (q << 30) | (0b101110 << 24) | (rm << 16) | (imm4 << 11) | (rn << 5) | rd
    if k == 10:  # TBL/TBX
        return (q << 30) | (0b001110 << 24) | (rm << 16) | (rng.randrange(4) << 13) | (rng.randrange(2) << 12) | \
            (rn << 5) | rd
    # three different: uaddl/saddl/uaddw/usubl/umull/smull/umlal/addhn
    u, opc = rng.choice([(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 3), (0, 0xc), (1, 0xc), (1, 8), (0, 0xa),
                         (0, 4), (1, 6), (0, 7)])
    size = rng.randrange(3)
    return (q << 30) | (u << 29) | (0b01110 << 24) | (size << 22) | (1 << 21) | (rm << 16) | (opc << 12) | \
        (rn << 5) | rd


def build(rng, cases, length, kind, tmp):
    bits_d, bits_s = fp_values()
    asm = ['\t.text', '\t.globl _start', '_start:']
    data = ['\t.data', '\t.balign 16']
    listing = []
    for c in range(cases):
        insns = []
        for _ in range(length):
            if kind == 'all':
                g = rng.choice([gen_int, gen_fp, gen_simd])
            else:
                g = {'int': gen_int, 'fp': gen_fp, 'simd': gen_simd}[kind]
            insns.append(g(rng))
        listing.append(insns)
        # initial state
        for x in range(NREG):
            v = rng.getrandbits(64) if rng.randrange(4) else rng.choice(
                [0, 1, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x80000000, 0xffffffff])
            asm.append('\tmovz x%d, #%d' % (x, v & 0xffff))
            for sh in (16, 32, 48):
                asm.append('\tmovk x%d, #%d, lsl #%d' % (x, (v >> sh) & 0xffff, sh))
        asm.append('\tmov x28, #%d' % (rng.randrange(16) << 28 >> 16))
        asm.append('\tlsl x28, x28, #16')
        asm.append('\tmsr nzcv, x28')
        # rounding mode, DN (default NaN) and FZ (flush denormals to zero: FPSR.IDC for inputs)
        fpcr = (rng.randrange(4) << 22) | ((rng.randrange(4) == 0) << 25) | ((rng.randrange(4) == 0) << 24)
        asm.append('\tmov x28, #%d' % (fpcr >> 16))
        asm.append('\tlsl x28, x28, #16')
        asm.append('\tmsr fpcr, x28')
        asm.append('\tmsr fpsr, xzr')
        asm.append('\tadrp x29, init%d' % c)
        asm.append('\tadd x29, x29, :lo12:init%d' % c)
        for q in range(0, 32, 2):
            asm.append('\tldp q%d, q%d, [x29, #%d]' % (q, q + 1, q * 16))
        data.append('init%d:' % c)
        for q in range(32):
            if rng.randrange(2):
                lo, hi = rng.choice(bits_d), rng.choice(bits_d)
            else:
                lo = rng.choice(bits_s) | (rng.choice(bits_s) << 32)
                hi = rng.getrandbits(64)
            data.append('\t.quad %d, %d' % (lo, hi))
        asm.append('case%d:' % c)
        for w in insns:
            asm.append('\t.inst 0x%08x' % w)
        # dump
        asm.append('\tadrp x29, state')
        asm.append('\tadd x29, x29, :lo12:state')
        for x in range(0, NREG, 2):
            asm.append('\tstp x%d, x%d, [x29, #%d]' % (x, x + 1, x * 8))
        asm.append('\tmrs x28, nzcv')
        asm.append('\tstr x28, [x29, #224]')
        asm.append('\tmrs x28, fpsr')
        asm.append('\tstr x28, [x29, #232]')
        for q in range(0, 32, 2):
            asm.append('\tstp q%d, q%d, [x29, #%d]' % (q, q + 1, 240 + q * 16))
        asm += ['\tmov x0, #1', '\tmov x1, x29', '\tmov x2, #%d' % STATE, '\tmov x8, #64', '\tsvc #0']
    asm += ['\tmov x0, #0', '\tmov x8, #94', '\tsvc #0']
    data += ['\t.balign 16', 'state:', '\t.space %d' % STATE]
    src = os.path.join(tmp, 'cases.s')
    with open(src, 'w') as f:
        f.write('\n'.join(asm + data) + '\n')
    exe = os.path.join(tmp, 'root', 'cases')
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    subprocess.run(['aarch64-linux-gnu-gcc', '-nostdlib', '-static', '-o', exe, src], check=True)
    return exe, listing


def disasm(words, tmp):
    s = os.path.join(tmp, 'one.s')
    o = os.path.join(tmp, 'one.o')
    with open(s, 'w') as f:
        f.write(''.join('\t.inst 0x%08x\n' % w for w in words))
    subprocess.run(['aarch64-linux-gnu-as', '-o', o, s], check=True)
    out = subprocess.run(['aarch64-linux-gnu-objdump', '-d', o], capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if ':\t' in l]


def describe(a, b):
    names = ['x%d' % k for k in range(NREG)] + ['nzcv', 'fpsr']
    diffs = []
    for k, n in enumerate(names):
        va, vb = struct.unpack_from('<Q', a, 8 * k)[0], struct.unpack_from('<Q', b, 8 * k)[0]
        if va != vb:
            diffs.append('%s: qemu %#x mew %#x' % (n, va, vb))
    for q in range(32):
        va, vb = a[240 + 16 * q:256 + 16 * q], b[240 + 16 * q:256 + 16 * q]
        if va != vb:
            diffs.append('q%d: qemu %s mew %s' % (q, va[::-1].hex(), vb[::-1].hex()))
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--cases', type=int, default=100)
    ap.add_argument('--len', type=int, default=20, help='instructions per case')
    ap.add_argument('--kind', choices=['int', 'fp', 'simd', 'all'], default='all')
    ap.add_argument('--mew', default=os.path.join(os.path.dirname(__file__), '../../build/mew'))
    ap.add_argument('--show', type=int, default=3, help='differing cases to print')
    ap.add_argument('--jit', choices=['on', 'off', 'both'], default='both',
                    help='mew with the translator, the interpreter alone, or both')
    args = ap.parse_args()
    for tool in ('qemu-aarch64', 'aarch64-linux-gnu-gcc'):
        if shutil.which(tool) is None:
            print('a64diff: %s is not installed' % tool, file=sys.stderr)
            return 77
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        exe, listing = build(rng, args.cases, args.len, args.kind, tmp)
        q = subprocess.run(['qemu-aarch64', exe], capture_output=True, timeout=120)
        if q.returncode != 0:
            print('a64diff: qemu-aarch64 failed (%d): %s' % (q.returncode, q.stderr.decode()), file=sys.stderr)
            return 2
        total = 0
        for mode in (['on', 'off'] if args.jit == 'both' else [args.jit]):
            env = dict(os.environ, MEW_A64_JIT='1' if mode == 'on' else '0')
            m = subprocess.run([args.mew, 'run', '--engine', 'emulate', '--arch', 'arm64', '--rootfs',
                                os.path.dirname(exe), '--', '/cases'], capture_output=True, timeout=300, env=env)
            bad = 0
            for c in range(args.cases):
                a = q.stdout[c * STATE:(c + 1) * STATE]
                b = m.stdout[c * STATE:(c + 1) * STATE]
                if a == b:
                    continue
                bad += 1
                if bad <= args.show:
                    print('case %d (seed %d, translator %s) differs:' % (c, args.seed, mode))
                    if len(b) < STATE:
                        print('  mew stopped (exit %d): %s' % (m.returncode, m.stderr.decode().strip()))
                    else:
                        for d in describe(a, b):
                            print('  ' + d)
                    for l in disasm(listing[c], tmp):
                        print('    ' + l.strip())
            print('a64diff: seed %d, %d %s cases of %d instructions, translator %s: %d differ' %
                  (args.seed, args.cases, args.kind, args.len, mode, bad))
            total += bad
        return 1 if total else 0


if __name__ == '__main__':
    sys.exit(main())

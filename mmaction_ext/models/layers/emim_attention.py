"""EMIM attention (Explicit Motion Information Mining, Zhuang et al.): a cost-volume-style attention.

A query token at frame ``t`` attends to the ``K x K`` window of key/value tokens centred at its position in
frame ``t + temporal_interval``. The window's logits (scaled ``q . k`` plus a relative position bias) give
the **appearance** output, ``softmax(logits) . V``, and, read as a cost volume, the **motion** output, a
shared MLP applied to each head's ``K^2`` raw logits. ``x = appearance + motion``, then the original output
projection (see ``docs/emim.md`` for the equations, the official code's behaviour and our choices).

The windows are computed without materialising the ``(THW)^2`` affinity: per frame pair one dense GEMM of
the queries against the padded key map, from which each query's ``K^2`` logits are gathered ("dense +
gather", exact, 12-16x faster than unfolding on CPU; ``../shared/research/emim_natten.md``). The optional
``backend='natten'`` computes the same windows with NATTEN 0.17-0.19's ``na2d_qk`` / ``na2d_av`` kernels.
"""
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_

# The official code pads the key and value maps with this constant (neither shifted nor masked windows).
PAD_VALUE = 1e-6
SAMPLINGS = ('sliding', 'block')
EDGE_MODES = ('repeat', 'pad')
APPEARANCES = ('window', 'global')
BACKENDS = ('torch', 'natten')
# NATTEN versions with na2d_qk / na2d_av and a relative position bias (0.20 dropped both).
NATTEN_VERSIONS = ((0, 17), (0, 20))


class QuickGELU(nn.Module):
    """``x * sigmoid(1.702 x)``, the activation of the official motion MLP (CLIP's approximation of GELU)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


def window_index(height: int, width: int, window_size: int, sampling: str = 'sliding',
                 device=None) -> Tuple[torch.Tensor, Tuple[int, int, int, int]]:
    """Where each query's key window lies in the padded key map.

    Args:
        sampling (str): ``'sliding'``: the window centred at the query (EMIM); ``'block'``: the fixed
            non-overlapping ``K x K`` block containing the query (the non-sliding baseline of Table 6).

    Returns:
        tuple: ``index (H*W, K*K)`` of flattened positions in the padded map, row-major over the window,
        and the padding ``(left, right, top, bottom)`` of the key map (``F.pad`` order).
    """
    k = window_size
    rows = torch.arange(height, device=device)[:, None, None, None]
    cols = torch.arange(width, device=device)[None, :, None, None]
    di = torch.arange(k, device=device)[None, None, :, None]
    dj = torch.arange(k, device=device)[None, None, None, :]
    if sampling == 'sliding':
        pad = k // 2
        padding = (pad, pad, pad, pad)
        top, left = rows, cols  # the window of query (i, j) starts at (i, j) of the map padded by K // 2
    elif sampling == 'block':
        padding = (0, -width % k, 0, -height % k)
        top, left = rows // k * k, cols // k * k
    else:
        raise ValueError(f'unknown sampling {sampling!r}; expected one of {SAMPLINGS}')
    padded_width = width + padding[0] + padding[1]
    index = (top + di) * padded_width + (left + dj)
    return index.reshape(height * width, k * k), padding


def padded_tokens(x: torch.Tensor, padding: Tuple[int, int, int, int], size: Tuple[int, int]) -> torch.Tensor:
    """``x (N, heads, H*W, D)`` as a map padded with :data:`PAD_VALUE` by ``padding`` (from
    :func:`window_index`), flattened again: ``(N, heads, Lp, D)``."""
    n, heads, _, dim = x.shape
    x_map = x.transpose(-1, -2).reshape(n, heads * dim, *size)
    return F.pad(x_map, padding, value=PAD_VALUE).reshape(n, heads, dim, -1).transpose(-1, -2)


def local_window_logits(q: torch.Tensor, k: torch.Tensor, index: torch.Tensor,
                        padding: Tuple[int, int, int, int], size: Tuple[int, int]) -> torch.Tensor:
    """Logits of every query against its key window: ``(N, heads, H*W, K*K)``, gathered from the dense
    ``q . k_padded`` (one GEMM per frame pair).

    Args:
        q (torch.Tensor): ``(N, heads, H*W, D)`` queries, already scaled.
        k (torch.Tensor): ``(N, heads, H*W, D)`` keys of the paired frames.
        index, padding: from :func:`window_index`.
        size (tuple): ``(H, W)``.
    """
    dense = q @ padded_tokens(k, padding, size).transpose(-1, -2)
    return dense.gather(-1, index.expand(*dense.shape[:2], -1, -1))


def local_window_aggregate(attn: torch.Tensor, v: torch.Tensor, index: torch.Tensor,
                           padding: Tuple[int, int, int, int], size: Tuple[int, int]) -> torch.Tensor:
    """``sum over the window of attn * v``: ``(N, heads, H*W, D)`` from ``attn (N, heads, H*W, K*K)``, by
    scattering ``attn`` into the padded map and one GEMM."""
    v_padded = padded_tokens(v, padding, size)
    dense = attn.new_zeros(*attn.shape[:3], v_padded.shape[2])
    dense = dense.scatter(-1, index.expand(*attn.shape[:2], -1, -1), attn)
    return dense @ v_padded


def gathered_windows(x: torch.Tensor, index: torch.Tensor, padding: Tuple[int, int, int, int],
                     size: Tuple[int, int]) -> torch.Tensor:
    """Each query's window of ``x (N, heads, H*W, D)`` gathered from the padded map: ``(N, heads, H*W, K*K, D)``
    (memory ``K^2`` times the input; the FLOP counter's path, see :meth:`EMIMAttention.forward`)."""
    x_padded = padded_tokens(x, padding, size)
    return x_padded[:, :, index.reshape(-1)].reshape(*x.shape[:2], *index.shape[-2:], x.shape[-1])


def softmax_fp32(logits: torch.Tensor) -> torch.Tensor:
    """Softmax over the last dim, computed in fp32 when ``logits`` are half precision (under autocast)."""
    half = logits.dtype in (torch.float16, torch.bfloat16)
    return logits.softmax(-1, dtype=torch.float32 if half else logits.dtype)


def window_offsets(attn: torch.Tensor, window_size: int) -> torch.Tensor:
    """The soft-argmax displacement of each query's window attention: ``(..., K*K)`` -> ``(..., 2)`` as
    ``(dy, dx)`` in tokens, the expected offset of the key it attends to (the displacement read-out of the
    EMIM affinity, for sliding windows)."""
    pad = window_size // 2
    steps = torch.arange(window_size, device=attn.device, dtype=attn.dtype) - pad
    dy, dx = steps.repeat_interleave(window_size), steps.repeat(window_size)
    return torch.stack([attn @ dy, attn @ dx], -1)


def import_natten():
    """``natten.functional`` of an installed NATTEN >= 0.17, < 0.20, or an ImportError that says why not.

    NATTEN 0.17 annotates with ``torch.cuda._device_t``, which newer torch releases no longer define; the
    alias is restored (typing only) before the import.
    """
    if not hasattr(torch.cuda, '_device_t'):
        torch.cuda._device_t = Union[torch.device, str, int, None]
    try:
        import natten
        from natten import functional
    except Exception as error:  # ImportError, or NATTEN's import-time device queries on a CPU-only torch
        raise ImportError("EMIMAttention(backend='natten') needs natten>=0.17,<0.20 (na2d_qk / na2d_av with a "
                          f"relative position bias), which does not import here: {error!r}. backend='torch' "
                          'computes the same attention') from error
    version = tuple(int(part) for part in natten.__version__.split('.')[:2])
    if not NATTEN_VERSIONS[0] <= version < NATTEN_VERSIONS[1]:
        raise ImportError(f"EMIMAttention(backend='natten') needs natten>=0.17,<0.20; natten {natten.__version__} "
                          'is installed (0.20 dropped na2d_qk / na2d_av and the relative position bias)')
    return functional


def _natten_map(x: torch.Tensor, size: Tuple[int, int], pad: int, value: float) -> torch.Tensor:
    """``(N, heads, H*W, D)`` -> NATTEN's ``(N, heads, H + 2 pad, W + 2 pad, D)``, padded with ``value``."""
    x = x.reshape(*x.shape[:2], *size, x.shape[-1])
    return F.pad(x, (0, 0, pad, pad, pad, pad), value=value)


def natten_window_logits(q: torch.Tensor, k: torch.Tensor, rpb: torch.Tensor,
                         size: Tuple[int, int]) -> torch.Tensor:
    """:func:`local_window_logits` plus the relative position bias ``rpb (heads, K, K)``, by NATTEN.

    NATTEN shifts windows at the map's borders instead of padding. Padding q (with 0) and k (with
    :data:`PAD_VALUE`) by ``K // 2`` puts every real query at least ``K // 2`` from the border, so its window
    is centred; the bias, padded to NATTEN's ``(heads, 2K-1, 2K-1)``, is then indexed at the offsets
    ``-K//2 .. K//2`` only. The padded queries' logits are cropped away.
    """
    functional = import_natten()
    window = rpb.shape[-1]
    pad = window // 2
    logits = functional.na2d_qk(_natten_map(q, size, pad, 0.), _natten_map(k, size, pad, PAD_VALUE), window,
                                rpb=F.pad(rpb, (pad, ) * 4))
    return logits[:, :, pad:pad + size[0], pad:pad + size[1]].reshape(*q.shape[:3], window * window)


def natten_window_aggregate(attn: torch.Tensor, v: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
    """:func:`local_window_aggregate` by NATTEN's ``na2d_av``, with the padding of :func:`natten_window_logits`
    (the padded queries get zero attention and are cropped away)."""
    functional = import_natten()
    window = int(round(attn.shape[-1]**0.5))
    pad = window // 2
    attn = _natten_map(attn, size, pad, 0.)
    out = functional.na2d_av(attn, _natten_map(v, size, pad, PAD_VALUE), window)
    return out[:, :, pad:pad + size[0], pad:pad + size[1]].reshape(v.shape)


class EMIMAttention(BaseModule):
    """EMIM attention over ``(T, H, W)`` tokens, a drop-in for the global MHSA of a video transformer block
    (the parameters ``qkv`` and ``proj`` keep their names and shapes, so the block's weights still load).

    Args:
        dim (int): Channels ``C``.
        num_heads (int): Heads; ``C`` must be divisible by it.
        qkv_bias (bool | str): Bias in ``qkv``; ``'qv'``: separate ``q_bias`` and ``v_bias`` and no key bias,
            as VideoMAE's attention (MMAction2's ``VisionTransformer``), so its weights load. Defaults to True.
        qk_scale (float, optional): Logit scale; None: ``head_dim ** -0.5``.
        attn_drop (float): Dropout on the window attention. Defaults to 0.
        proj_drop (float): Dropout after ``proj``. Defaults to 0.
        window_size (int): Odd ``K`` of the ``K x K`` key window. Defaults to 7 (Table 5; the text's
            "P = 7" cannot be a radius, see ``docs/emim.md``).
        temporal_interval (int): ``delta``: keys from frame ``t + delta``; 0 is the same frame (images,
            Tables 9 and 11). Defaults to 1.
        sampling (str): ``'sliding'`` (EMIM) or ``'block'`` (Table 6's non-sliding windows, our reading).
        with_motion (bool): Add the motion branch (Table 7). Defaults to True.
        motion_act (str): ``'quick_gelu'`` (official code) or ``'gelu'`` (eq. 5). Defaults to ``'quick_gelu'``.
        edge_mode (str): The last ``delta`` frames have no frame ``t + delta``: ``'repeat'`` gives them the
            output of frame ``T - 1 - delta`` (the official pairing, generalised), ``'pad'`` pairs them with
            a frame of the padding constant. Defaults to ``'repeat'``.
        appearance (str): ``'window'`` (EMIM: the window attention aggregates the values) or ``'global'``
            (Table 10's "traditional cost volume integration", our reading: the block's original global MHSA
            is kept unchanged and the motion feature of the window cost volume is added to it).
            Defaults to ``'window'``.
        backend (str): ``'torch'`` (dense GEMM + gather, exact, the default) or ``'natten'`` (NATTEN
            0.17-0.19's neighbourhood-attention kernels with the padding trick of :func:`natten_window_logits`;
            same values, sliding windows only; on CPU it is 35-70x slower than ``'torch'``, so it is for
            GPUs with a CUDA build of NATTEN). Defaults to ``'torch'``.
        init_cfg (dict, optional): mmengine init config.

    Shapes:
        ``forward(x (B, T*H*W, C), (T, H, W))`` -> ``(B, T*H*W, C)``; with ``return_affinity=True`` also
        the window attention ``(B, heads, T, H*W, K*K)``.
    """

    def __init__(self, dim: int, num_heads: int, qkv_bias: Union[bool, str] = True, qk_scale: Optional[float] = None,
                 attn_drop: float = 0., proj_drop: float = 0., window_size: int = 7, temporal_interval: int = 1,
                 sampling: str = 'sliding', with_motion: bool = True, motion_act: str = 'quick_gelu',
                 edge_mode: str = 'repeat', appearance: str = 'window', backend: str = 'torch',
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if dim % num_heads:
            raise ValueError(f'EMIMAttention: num_heads={num_heads} does not divide dim={dim}')
        if window_size < 1 or window_size % 2 == 0:
            raise ValueError(f'EMIMAttention: window_size must be odd and positive, got {window_size}')
        if temporal_interval < 0:
            raise ValueError(f'EMIMAttention: temporal_interval must be >= 0, got {temporal_interval}')
        if sampling not in SAMPLINGS:
            raise ValueError(f'EMIMAttention: unknown sampling {sampling!r}; expected one of {SAMPLINGS}')
        if edge_mode not in EDGE_MODES:
            raise ValueError(f'EMIMAttention: unknown edge_mode {edge_mode!r}; expected one of {EDGE_MODES}')
        if appearance not in APPEARANCES:
            raise ValueError(f'EMIMAttention: unknown appearance {appearance!r}; expected one of {APPEARANCES}')
        if backend not in BACKENDS:
            raise ValueError(f'EMIMAttention: unknown backend {backend!r}; expected one of {BACKENDS}')
        if backend == 'natten':
            if sampling != 'sliding':
                raise ValueError("EMIMAttention: backend='natten' computes sliding windows only, "
                                 f"not sampling={sampling!r}; use backend='torch'")
            import_natten()  # fail at construction, naming what is missing
        activations = dict(quick_gelu=QuickGELU, gelu=nn.GELU)
        if motion_act not in activations:
            raise ValueError(f'EMIMAttention: unknown motion_act {motion_act!r}; expected one of {sorted(activations)}')
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.scale = qk_scale or self.head_dim**-0.5
        self.window_size, self.temporal_interval = window_size, temporal_interval
        self.sampling, self.with_motion, self.edge_mode = sampling, with_motion, edge_mode
        self.appearance, self.backend = appearance, backend
        # The explicit-window path (memory K^2 x the tokens), for benchmarks; tracing always takes it.
        self.explicit_windows = False
        if qkv_bias not in (True, False, 'qv'):
            raise ValueError(f"EMIMAttention: qkv_bias must be True, False or 'qv', got {qkv_bias!r}")
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias is True)
        if qkv_bias == 'qv':
            self.q_bias = nn.Parameter(torch.zeros(dim))
            self.v_bias = nn.Parameter(torch.zeros(dim))
        self.rpb = nn.Parameter(torch.zeros(num_heads, window_size, window_size))
        window = window_size * window_size
        if with_motion:  # Linear, activation, Linear: the official key names motion_conv.0 / .2
            self.motion_conv = nn.Sequential(nn.Linear(window, 4 * window), activations[motion_act](),
                                             nn.Linear(4 * window, self.head_dim))
        self.attn_drop = nn.Dropout(attn_drop)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(proj_drop)
        self._init_new_parameters()

    def _init_new_parameters(self) -> None:
        """The official init of the parameters EMIM adds: RPB truncated normal (std 0.02); motion MLP first
        layer Xavier-uniform, last layer zero, so a new block starts as pure local cross-frame attention."""
        trunc_normal_(self.rpb, std=.02)
        if self.with_motion:
            nn.init.xavier_uniform_(self.motion_conv[0].weight)
            nn.init.zeros_(self.motion_conv[0].bias)
            nn.init.zeros_(self.motion_conv[2].weight)
            nn.init.zeros_(self.motion_conv[2].bias)

    def init_weights(self) -> None:
        super().init_weights()
        if not self.init_cfg:  # an init_cfg (e.g. TruncNormal on Linear) would have replaced the official init
            self._init_new_parameters()

    def pair_frames(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                    num_frames: int) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Queries of frame ``t`` with keys / values of frame ``t + delta``; ``(B, T, ...)`` each."""
        delta = self.temporal_interval
        if num_frames < delta + 1:
            raise ValueError(f'EMIMAttention: temporal_interval={delta} needs at least {delta + 1} frames, '
                             f'got T={num_frames}')
        if delta == 0:
            return q, k, v
        if self.edge_mode == 'repeat':  # frames T-delta.. reuse the last pair (q_{T-1-delta}, k_{T-1})
            last = q[:, num_frames - 1 - delta:num_frames - delta].expand(-1, delta, *q.shape[2:])
            q = torch.cat([q[:, :num_frames - delta], last], 1)
            k = torch.cat([k[:, delta:], k[:, -1:].expand(-1, delta, *k.shape[2:])], 1)
            v = torch.cat([v[:, delta:], v[:, -1:].expand(-1, delta, *v.shape[2:])], 1)
            return q, k, v
        padding = q.new_full((q.shape[0], delta, *q.shape[2:]), PAD_VALUE)
        return q, torch.cat([k[:, delta:], padding], 1), torch.cat([v[:, delta:], padding], 1)

    def forward(self, x: torch.Tensor, thw: Tuple[int, int, int],
                return_affinity: bool = False):
        batch, tokens, channels = x.shape
        num_frames, height, width = thw
        if num_frames * height * width != tokens:
            raise ValueError(f'EMIMAttention: {tokens} tokens are not T*H*W = {num_frames}*{height}*{width}')
        if self.window_size > min(height, width):  # 7 x 7 on stage 4's 7 x 7 map is the paper's largest
            raise ValueError(f'EMIMAttention: window_size={self.window_size} is larger than the {height}x{width} '
                             'feature map; use a smaller window_size or leave this stage out of EMIM')
        heads, dim, hw = self.num_heads, self.head_dim, height * width
        if hasattr(self, 'q_bias'):  # VideoMAE's q / v biases, no key bias
            bias = torch.cat([self.q_bias, torch.zeros_like(self.v_bias), self.v_bias])
            qkv = F.linear(x, self.qkv.weight, bias)
        else:
            qkv = self.qkv(x)
        qkv = qkv.reshape(batch, num_frames, hw, 3, heads, dim).permute(3, 0, 1, 4, 2, 5)
        if self.appearance == 'global':
            appearance = self._global_attention(qkv[0] * self.scale, qkv[1], qkv[2])
        q, k, v = self.pair_frames(qkv[0] * self.scale, qkv[1], qkv[2], num_frames)  # (B, T, heads, HW, D)
        q, k, v = (tensor.reshape(batch * num_frames, heads, hw, dim) for tensor in (q, k, v))
        index, padding = window_index(height, width, self.window_size, self.sampling, x.device)
        # Dense + gather (fast); while traced, e.g. by mmengine's FLOP counter, or with explicit_windows,
        # gathered windows, whose einsums count the K^2 window instead of the padded dense GEMM (same result).
        gather = self.explicit_windows or torch.jit.is_tracing()
        use_natten = self.backend == 'natten' and not gather
        if use_natten:
            logits = natten_window_logits(q, k, self.rpb, (height, width))
        elif gather:
            logits = torch.einsum('nhpd,nhpwd->nhpw', q, gathered_windows(k, index, padding, (height, width)))
        else:
            logits = local_window_logits(q, k, index[None, None], padding, (height, width))
        if not use_natten:
            logits = logits + self.rpb.reshape(1, heads, 1, -1)
        attn = softmax_fp32(logits).to(v.dtype)
        if self.appearance == 'global':
            out = appearance
        elif use_natten:
            out = natten_window_aggregate(self.attn_drop(attn), v, (height, width))
        elif gather:
            out = torch.einsum('nhpw,nhpwd->nhpd', self.attn_drop(attn),
                               gathered_windows(v, index, padding, (height, width)))
        else:
            out = local_window_aggregate(self.attn_drop(attn), v, index[None, None], padding, (height, width))
        if self.with_motion:
            out = out + self.motion_conv(logits)
        out = out.reshape(batch, num_frames, heads, hw, dim).permute(0, 1, 3, 2, 4).reshape(batch, tokens, channels)
        out = self.proj_drop(self.proj(out))
        if return_affinity:
            return out, attn.reshape(batch, num_frames, heads, hw, -1).transpose(1, 2)
        return out

    def _global_attention(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """The original MHSA over all ``T*H*W`` tokens, ``(B, T, heads, HW, D)`` each, returned frame-major as
        ``(B*T, heads, HW, D)``."""
        batch, frames, heads, hw, dim = q.shape
        q, k, v = (t.transpose(1, 2).reshape(batch, heads, frames * hw, dim) for t in (q, k, v))
        logits = q @ k.transpose(-2, -1)
        out = self.attn_drop(softmax_fp32(logits).to(v.dtype)) @ v
        return out.reshape(batch, heads, frames, hw, dim).transpose(1, 2).reshape(batch * frames, heads, hw, dim)

    def extra_repr(self) -> str:
        return (f'heads={self.num_heads}, window_size={self.window_size}, temporal_interval={self.temporal_interval}'
                f', sampling={self.sampling!r}, with_motion={self.with_motion}, edge_mode={self.edge_mode!r}'
                f', appearance={self.appearance!r}, backend={self.backend!r}')


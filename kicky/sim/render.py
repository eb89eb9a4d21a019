"""Per-frame rendering: static world warped by the camera shake, shadows, the goal (posts, bar, net),
shaded players and a motion-blurred ball, composited in depth order. Returns the image and the
visible instance masks that become the truth."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kicky.sim import draw
from kicky.sim.backdrop import in_shade, render_static
from kicky.sim.camera import Camera
from kicky.sim.goal import BALL_RADIUS
from kicky.sim.people import HEAD_R, J, LIMBS
from kicky.sim.scenario import Scenario

BALL_ID, GOAL_ID = 1, 2  # player p gets id 10 + p in the id map


@dataclass
class Frame:
    image: np.ndarray          # BGR uint8
    ids: np.ndarray            # uint8 id map of people and ball (visible pixels)
    goal_mask: np.ndarray      # bool: goal region (frame + net), minus what stands in front of it
    ball_alpha_max: float      # peak coverage of the ball streak (0 when off-screen)


def sun_vector(scene: dict) -> np.ndarray:
    az, el = math.radians(scene["sun_azimuth_deg"]), math.radians(scene["sun_elevation_deg"])
    return np.array([math.cos(az) * math.cos(el), math.sin(az) * math.cos(el), math.sin(el)])


def _to_ground(X: np.ndarray, sun: np.ndarray) -> np.ndarray:
    """Shadow of world points on z = 0 along the sun direction."""
    X = np.asarray(X, float)
    return X - X[..., 2:3] / sun[2] * sun


class Renderer:
    """Renders every frame of one scenario; the static world is ray-cast once with a shake margin."""

    def __init__(self, scn: Scenario):
        self.scn = scn
        cam = scn.camera
        max_ang = max(np.degrees(np.arccos(np.clip((np.trace(R) - 1) / 2, -1, 1))) for R in scn.shake)
        self.margin = int(math.ceil(cam.focal * math.tan(math.radians(max_ang + 0.2)))) + 2
        M = self.margin
        Kc = cam.K.copy()
        Kc[0, 2] += M
        Kc[1, 2] += M
        self.canvas_cam = Camera(Kc, cam.R, cam.t, cam.width + 2 * M, cam.height + 2 * M)
        self.canvas = render_static(self.canvas_cam, scn.goal, scn.scene)
        self.sun = sun_vector(scn.scene)
        rng = np.random.default_rng(scn.scene["texture_seed"] + 1)
        sigma = scn.scene["noise_sigma"]
        self.noise = (rng.normal(0, sigma, (cam.height + 16, cam.width + 16, 3))).astype(np.float32)
        self.noise_rng = np.random.default_rng(scn.scene["texture_seed"] + 2)

    # -- world layers ---------------------------------------------------------------------------
    def _background(self, i: int, cam: Camera) -> np.ndarray:
        Kc_inv = np.linalg.inv(self.canvas_cam.K)
        Hm = cam.K @ self.scn.shake[i] @ Kc_inv
        img = cv2.warpPerspective(self.canvas, Hm, (cam.width, cam.height), flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_REPLICATE)
        return img

    def _shadows(self, img: np.ndarray, cam: Camera, i: int, ball_pos: np.ndarray) -> None:
        strength = self.scn.scene["shadow_strength"]
        if strength <= 0:
            return
        mask = np.zeros(img.shape[:2], np.uint8)
        for p in self.scn.players:
            jg = _to_ground(p.joints[i], self.sun)
            uv, z = cam.project(jg)
            if (z < 0.5).any():
                continue
            for a, b, r, _ in LIMBS:
                ra = cam.focal * r / z[J[a]]
                draw.capsule(mask, uv[J[a]], uv[J[b]], ra, ra, 255)
            torso = [J[k] for k in ("l_shoulder", "r_shoulder", "r_hip", "l_hip", "neck")]
            draw.polygon(mask, uv[torso], 255)
            draw.disc(mask, uv[J["head"]], cam.focal * HEAD_R / z[J["head"]], 255)
        # the goal frame
        for a, b in self.scn.goal.post_axes():
            uv, z = cam.project(_to_ground(np.stack([a, b]), self.sun))
            if (z > 0.5).all():
                draw.line(mask, uv[0], uv[1], cam.focal * 0.12 / z.mean(), 255)
        # the ball: a soft blob that fades with height
        g = _to_ground(ball_pos, self.sun)
        uv, z = cam.project(g)
        if z > 0.5:
            h = max(ball_pos[2] - BALL_RADIUS, 0)
            draw.disc(mask, uv, cam.focal * BALL_RADIUS * 1.1 / z, int(255 / (1 + 2 * h)))
        a = mask.astype(np.float32) * (strength / 255)
        img *= (1 - a)[..., None]

    def _goal_layer(self, cam: Camera):
        """RGB patch, alpha and solid (posts/bar) masks of the goal, plus its region polygon."""
        goal = self.scn.goal
        corners = goal.corners()
        uv_c, z_c = cam.project(corners)
        if (z_c < 0.5).any():
            return None
        pr = goal.post_radius
        x0, y0 = np.floor(uv_c.min(0) - 8).astype(int)
        x1, y1 = np.ceil(uv_c.max(0) + 8).astype(int)
        x0, y0 = max(x0, -2), max(y0, -2)
        x1, y1 = min(x1, cam.width + 2), min(y1, cam.height + 2)
        if x1 <= x0 or y1 <= y0:
            return None
        h, w = y1 - y0, x1 - x0
        net = np.zeros((h, w), np.float32)
        solid = np.zeros((h, w), np.uint8)
        off = np.array([x0, y0], float)
        # net: back, sides and roof as a mesh of lines
        hw, d, H, bh = goal.width / 2, goal.depth, goal.height, goal.back_height
        step = 0.14 if goal.width > 5 else 0.1
        segs = []
        for x in np.arange(-hw, hw + 1e-6, step):
            segs.append(([x, -d, 0], [x, -d, bh]))
            segs.append(([x, 0, H], [x, -d, bh]))
        for z in np.arange(0, bh + 1e-6, step):
            segs.append(([-hw, -d, z], [hw, -d, z]))
        for y in np.arange(-d, 0 + 1e-6, step):
            zt = H + (bh - H) * (-y / d)
            segs += [([-hw, y, 0], [-hw, y, zt]), ([hw, y, 0], [hw, y, zt]), ([-hw, y, zt], [hw, y, zt])]
        for z in np.arange(0, H + 1e-6, step):
            zb = min(z, bh) if z <= bh else None
            for sx in (-hw, hw):
                end_y = -d if z <= bh else -d * (H - z) / (H - bh)
                segs.append(([sx, 0, z], [sx, end_y, zb if zb is not None else z]))
        segs = np.array(segs, float)
        uv, z = cam.project(segs.reshape(-1, 3))
        uv = uv.reshape(-1, 2, 2) - off
        z = z.reshape(-1, 2)
        for (a, b), zz in zip(uv, z):
            draw.line(net, a, b, cam.focal * 0.02 / zz.mean(), 0.55)
        net = np.minimum(net, 0.8)
        # posts and bar
        for a, b in goal.post_axes():
            (pa, pb), zz = cam.project(np.stack([a, b]))
            draw.line(solid, pa - off, pb - off, cam.focal * 2 * pr / zz.mean(), 255)
        alpha = np.maximum(net, solid.astype(np.float32) / 255)
        rgb = np.empty((h, w, 3), np.float32)
        rgb[:] = 238
        rgb[net > solid / 255] = 215
        region = np.vstack([uv_c, *[cam.project(np.stack([a, b]))[0] for a, b in goal.post_axes()]])
        return (x0, y0), rgb, alpha, solid > 127, region

    # -- people and ball ------------------------------------------------------------------------
    def _player(self, cam: Camera, p, i: int):
        """Colour patch, alpha (0..1) and origin for one player, or None off-screen/behind."""
        X = p.joints[i]
        uv, z = cam.project(X)
        if (z < 0.5).any():
            return None
        f = cam.focal
        pad = f * 0.15 / z.min() + 4
        x0, y0 = np.floor(uv.min(0) - pad).astype(int)
        x1, y1 = np.ceil(uv.max(0) + pad).astype(int)
        if x1 < 0 or y1 < 0 or x0 > cam.width or y0 > cam.height:
            return None
        h, w = y1 - y0, x1 - x0
        if h * w > 4 * cam.width * cam.height or h <= 0 or w <= 0:
            return None
        img = np.zeros((h, w, 3), np.float32)
        alpha = np.zeros((h, w), np.uint8)
        P = uv - np.array([x0, y0])
        look = p.look
        light = -cam.project(X[J["neck"]] + self.sun * 0.3)[0] + uv[J["neck"]]
        light = light / (np.linalg.norm(light) + 1e-6)
        up = np.array([0.0, 0.0, 1.0])
        fwd = X[J["l_hip"]] - X[J["r_hip"]]
        fwd = np.cross(fwd, up)
        fwd /= np.linalg.norm(fwd) + 1e-9
        parts = []  # (depth, kind, payload)
        colour = {"shorts": look.shorts, "sock": look.sock, "shoe": look.shoe, "skin": look.skin,
                  "sleeve": look.shirt}
        for a, b, r, part in LIMBS:
            ja, jb = J[a], J[b]
            ra, rb = f * r / z[ja], f * r / z[jb] * (0.8 if part != "shoe" else 1.0)
            segs = [(0.0, 1.0, part)]
            if part == "shorts":
                segs = [(0.0, 0.5, "shorts"), (0.5, 1.0, "skin")]
            elif part == "sock":
                segs = [(0.0, 0.25, "skin"), (0.25, 1.0, "sock")]
            elif part == "skin" and a.endswith("elbow") and look.sleeve_long:
                segs = [(0.0, 0.85, "sleeve"), (0.85, 1.0, "skin")]
            for s0, s1, name in segs:
                pa, pb = P[ja] + (P[jb] - P[ja]) * s0, P[ja] + (P[jb] - P[ja]) * s1
                ra_, rb_ = ra + (rb - ra) * s0, ra + (rb - ra) * s1
                parts.append(((z[ja] + z[jb]) / 2, "capsule", (pa, pb, ra_, rb_, colour[name])))
            if a.endswith("elbow"):
                parts.append((z[jb] - 1e-3, "disc", (P[jb], f * 0.05 / z[jb], look.skin)))
        # torso (shirt) and shorts as hulls of thick body points
        lat = X[J["l_shoulder"]] - X[J["r_shoulder"]]
        lat /= np.linalg.norm(lat) + 1e-9
        chest = []
        for k, dl in (("l_shoulder", -0.02), ("r_shoulder", 0.02), ("l_hip", 0.03), ("r_hip", -0.03)):
            for df in (-0.11, 0.11):
                chest.append(X[J[k]] + lat * dl + fwd * df + up * (0.04 if "shoulder" in k else -0.02))
        cuv, cz = cam.project(np.array(chest))
        parts.append((float(cz.mean()), "hull", (cuv - np.array([x0, y0]), look.shirt)))
        hips = []
        for k in ("l_hip", "r_hip"):
            side = 1 if k == "l_hip" else -1
            for df in (-0.11, 0.11):
                hips.append(X[J[k]] + lat * side * 0.05 + fwd * df + up * 0.03)
                knee = X[J[k.replace("hip", "knee")]]
                hips.append(X[J[k]] + (knee - X[J[k]]) * 0.3 + lat * side * 0.03 + fwd * df * 0.8)
        huv, hz = cam.project(np.array(hips))
        parts.append((float(hz.mean()) - 0.01, "hull", (huv - np.array([x0, y0]), look.shorts)))
        hr = f * HEAD_R * p.look.scale / z[J["head"]]
        facing = float(np.dot(fwd, cam.center - X[J["head"]]))
        parts.append((z[J["head"]] - 0.05, "head", (P[J["head"]], hr, facing, P[J["neck"]])))
        parts.sort(key=lambda q: -q[0])
        for _, kind, data in parts:
            if kind == "capsule":
                pa, pb, ra, rb, col = data
                base = tuple(c * 0.72 for c in col)
                draw.capsule(img, pa, pb, ra, rb, base)
                draw.capsule(alpha, pa, pb, ra, rb, 255)
                if max(ra, rb) >= 1.5:
                    sh = light * 0.3 * (ra + rb) / 2
                    draw.capsule(img, pa + sh, pb + sh, ra * 0.55, rb * 0.55, tuple(min(255, c * 1.05) for c in col))
            elif kind == "disc":
                c, r, col = data
                draw.disc(img, c, r, col)
                draw.disc(alpha, c, r, 255)
            elif kind == "hull":
                pts, col = data
                draw.polygon(img, pts, tuple(c * 0.8 for c in col))
                draw.polygon(alpha, pts, 255)
                cen = pts.mean(0)
                draw.polygon(img, cen + (pts - cen) * 0.7 + light * 0.1 * np.ptp(pts[:, 0]), col)
            else:
                self._head(img, alpha, *data, look)
        return x0, y0, img, alpha.astype(np.float32) / 255

    @staticmethod
    def _head(img, alpha, c, r, facing, neck, look):
        axis = c - neck
        axis = axis / (np.linalg.norm(axis) + 1e-9)
        draw.disc(img, c, r, tuple(v * 0.9 for v in look.skin))
        draw.disc(alpha, c, r, 255)
        draw.disc(img, c + axis * r * 0.1, r * 0.8, look.skin)
        if facing < 0:  # back of the head: mostly hair
            draw.disc(img, c + axis * r * 0.15, r * 0.92, look.hair)
            return
        hair_c = c + axis * r * 0.45
        draw.disc(img, hair_c, r * 0.75, look.hair)
        draw.disc(img, c - axis * r * 0.05, r * 0.78, look.skin)
        if r >= 4:
            side = np.array([-axis[1], axis[0]])
            for s in (-1, 1):
                draw.disc(img, c + side * s * r * 0.35 + axis * r * 0.1, max(0.6, r * 0.12), (40, 30, 30))
            draw.line(img, c - axis * r * 0.45 - side * r * 0.2, c - axis * r * 0.45 + side * r * 0.2,
                      max(0.5, r * 0.08), (60, 60, 130))

    def _ball(self, cam: Camera, i: int):
        """Motion-blurred ball over the shutter window centred on the frame time (supersampled)."""
        scn = self.scn
        t = i / scn.fps
        shutter = scn.scene["shutter"] / scn.fps
        pos_c, _ = scn.ball.state(np.array([t]))
        uv_c, z_c = cam.project(pos_c[0])
        if z_c < 0.3:
            return None
        probe = scn.ball.state(np.array([t - shutter / 2, t + shutter / 2]))[0]
        uvp, _ = cam.project(probe)
        streak = float(np.linalg.norm(uvp[1] - uvp[0]))
        n = int(np.clip(math.ceil(streak / 0.5), 1, 48))
        ts = t + (np.arange(n) + 0.5) / n * shutter - shutter / 2 if n > 1 else np.array([t])
        pos, vel = scn.ball.state(ts)
        uv, z = cam.project(pos)
        r = cam.focal * BALL_RADIUS / z
        pad = r.max() + 2
        x0, y0 = np.floor(uv.min(0) - pad).astype(int)
        x1, y1 = np.ceil(uv.max(0) + pad).astype(int)
        if x1 < 0 or y1 < 0 or x0 > cam.width or y0 > cam.height:
            return None
        ss = 8 if r.max() < 4 else 4
        gy, gx = np.mgrid[0:(y1 - y0) * ss, 0:(x1 - x0) * ss].astype(np.float32)
        gx, gy = x0 + (gx + 0.5) / ss, y0 + (gy + 0.5) / ss
        cov = np.zeros(gx.shape, np.float32)
        col = np.zeros(gx.shape, np.float32)
        sun_cam = cam.R @ self.sun
        spin = np.linalg.norm(vel, axis=1) / BALL_RADIUS
        shade_k = 1 - scn.scene["shadow_strength"] * in_shade(scn.scene, pos[:, :2]).astype(float)
        verts = _ICOSA
        for k in range(n):
            dx, dy = gx - uv[k, 0], gy - uv[k, 1]
            inside = dx * dx + dy * dy <= r[k] * r[k]
            if not inside.any():
                continue
            nx, ny = dx[inside] / r[k], dy[inside] / r[k]
            nz = -np.sqrt(np.clip(1 - nx * nx - ny * ny, 0, 1))
            normal = np.stack([nx, ny, nz], 1)
            lam = np.clip(normal @ sun_cam, 0, 1)
            c = 0.55 + 0.45 * lam
            if r[k] >= 2.5:
                ang = spin[k] * ts[k]
                rot = np.array([[math.cos(ang), 0, math.sin(ang)], [0, 1, 0], [-math.sin(ang), 0, math.cos(ang)]])
                dots = (normal @ rot.T) @ verts.T
                c = np.where(dots.max(1) > 0.93, 0.18, c)
            cov[inside] += 1
            col[inside] += c * 235 * shade_k[k]
        cov_px = cov.reshape(y1 - y0, ss, x1 - x0, ss).mean((1, 3)) / n
        col_px = col.reshape(y1 - y0, ss, x1 - x0, ss).mean((1, 3)) / n
        rgb = np.repeat((col_px / np.maximum(cov_px, 1e-6))[..., None], 3, 2)
        rgb *= np.array([0.97, 1.0, 1.0], np.float32) * scn.scene["brightness"]
        return x0, y0, rgb, cov_px

    # -- frame ----------------------------------------------------------------------------------
    def frame(self, i: int) -> Frame:
        scn = self.scn
        cam = scn.camera_at(i)
        W, H = cam.width, cam.height
        img = self._background(i, cam)
        ball_pos = scn.ball.state(np.array([i / scn.fps]))[0][0]
        self._shadows(img, cam, i, ball_pos)
        ids = np.zeros((H, W), np.uint8)
        goal = self._goal_layer(cam)
        goal_mask = np.zeros((H, W), bool)
        if goal is not None:
            tmp = np.zeros((H, W), np.uint8)
            draw.polygon(tmp, goal[4], 255, aa=False)
            goal_mask = tmp > 0
        objects = []
        for p in scn.players:
            out = self._player(cam, p, i)
            if out is not None:
                pelvis = p.joints[i][[J["l_hip"], J["r_hip"]]].mean(0)
                objects.append((float(cam.to_cam(pelvis)[2]), pelvis[1], 10 + p.id, out))
        ball = self._ball(cam, i)
        ball_peak = 0.0
        if ball is not None:
            ball_peak = float(ball[3].max())
            objects.append((float(cam.to_cam(ball_pos)[2]), ball_pos[1], BALL_ID, ball))
        behind = sorted([o for o in objects if o[1] < 0], key=lambda o: -o[0])
        front = sorted([o for o in objects if o[1] >= 0], key=lambda o: -o[0])

        def put(obj):
            _, _, oid, (x0, y0, rgb, a) = obj
            draw.composite(img, rgb, a, x0, y0)
            thr = 0.5 if oid != BALL_ID else max(0.5 * float(a.max()), 1e-3)
            draw.paste_mask(ids, a >= thr, x0, y0, oid)

        for o in behind:
            put(o)
        if goal is not None:
            (gx0, gy0), grgb, galpha, solid, _ = goal
            draw.composite(img, grgb, galpha, gx0, gy0)
            draw.paste_mask(ids, solid, gx0, gy0, 0)  # posts and bar hide what is behind them
        for o in front:
            put(o)
            goal_mask &= ids != o[2]
        gain = 1 + scn.scene["exposure_drift"] * math.sin(2 * math.pi * i / max(scn.n_frames, 1) + 1.0)
        img *= gain
        oy, ox = self.noise_rng.integers(0, 16, 2)
        img += self.noise[oy:oy + H, ox:ox + W]
        return Frame(np.clip(img, 0, 255).astype(np.uint8), ids, goal_mask, ball_peak)


def _icosahedron() -> np.ndarray:
    p = (1 + 5 ** 0.5) / 2
    v = np.array([[-1, p, 0], [1, p, 0], [-1, -p, 0], [1, -p, 0], [0, -1, p], [0, 1, p], [0, -1, -p], [0, 1, -p],
                  [p, 0, -1], [p, 0, 1], [-p, 0, -1], [-p, 0, 1]], float)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


_ICOSA = _icosahedron()

"""Clicking the county map: where a click on the map's picture falls, as a county of the region.

The map is a matplotlib figure (:func:`model.report.plots.plot_county_map`) shown as a PNG.
:func:`render_map` draws it and records where the map axes sit in the picture and which
region coordinates they show; the page's picture (``map_image.vue``) reports a click as
fractions of the picture's width and height, whatever size the browser shows it at, and
:func:`county_at` turns those fractions into a raster cell and the cell into its county
through the region's ``county_of_cell`` raster.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure


@dataclass(frozen=True)
class MapPicture:
    """A rendered county map and the geometry a click needs.

    Attributes
    ----------
    png : bytes
        The picture (PNG).
    axes_box : tuple of float
        ``(left, bottom, right, top)`` of the map axes, as fractions of the picture's width
        and height from its lower-left corner.
    x_lim_km, y_lim_km : tuple of float
        Region coordinates (km) at the axes' left/right and bottom/top edges.
    """

    png: bytes
    axes_box: tuple[float, float, float, float]
    x_lim_km: tuple[float, float]
    y_lim_km: tuple[float, float]

    def data_url(self) -> str:
        """The picture as a ``data:`` URL for an ``<img>``."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def fraction_of(self, x_km: float, y_km: float) -> tuple[float, float]:
        """Where region point ``(x_km, y_km)`` is in the picture: fractions from top-left."""
        left, bottom, right, top = self.axes_box
        ax_x = (x_km - self.x_lim_km[0]) / (self.x_lim_km[1] - self.x_lim_km[0])
        ax_y = (y_km - self.y_lim_km[0]) / (self.y_lim_km[1] - self.y_lim_km[0])
        return left + ax_x * (right - left), 1.0 - (bottom + ax_y * (top - bottom))


def render_map(fig: Figure) -> MapPicture:
    """Render a county map figure to PNG and note where its map axes are.

    ``fig`` is a figure of :func:`model.report.plots.plot_county_map`: its first axes is the
    map (the colour bar comes after it).
    """
    buffer = io.BytesIO()
    # drawn at the figure's own size and dpi, without cropping: the axes position read after
    # the draw (constrained layout and the equal aspect are applied then) is the one in the PNG
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    ax = fig.axes[0]
    box = ax.get_position()
    return MapPicture(
        png=buffer.getvalue(),
        axes_box=(float(box.x0), float(box.y0), float(box.x1), float(box.y1)),
        x_lim_km=tuple(float(v) for v in ax.get_xlim()),
        y_lim_km=tuple(float(v) for v in ax.get_ylim()),
    )


def county_at(region, picture: MapPicture, x_frac: float, y_frac: float) -> int | None:
    """The county under a click on the map picture, or None (outside the counties).

    Parameters
    ----------
    region : model.sim.region.Region
        The region drawn (``county_of_cell`` (ny, nx) int, ``cell_km``, ``row0_is_south``).
    picture : MapPicture
    x_frac, y_frac : float
        The click, as fractions of the shown picture's width and height from its top-left.

    Returns
    -------
    int or None
        County id, or None for a click outside the map, on a cell of no county or a hub.
    """
    left, bottom, right, top = picture.axes_box
    fig_y = 1.0 - float(y_frac)
    ax_x = (float(x_frac) - left) / (right - left)
    ax_y = (fig_y - bottom) / (top - bottom)
    if not (0.0 <= ax_x <= 1.0 and 0.0 <= ax_y <= 1.0):
        return None
    x_km = picture.x_lim_km[0] + ax_x * (picture.x_lim_km[1] - picture.x_lim_km[0])
    y_km = picture.y_lim_km[0] + ax_y * (picture.y_lim_km[1] - picture.y_lim_km[0])
    ids = np.asarray(region.county_of_cell)
    ny, nx = ids.shape
    cell_km = float(getattr(region, "cell_km", 1.0) or 1.0)
    # the map is drawn with row 0 at the top (extent 0..nx·cell_km, 0..ny·cell_km)
    col = math.floor(x_km / cell_km)
    row = math.floor((ny * cell_km - y_km) / cell_km)
    if not (0 <= col < nx and 0 <= row < ny):
        return None
    if getattr(region, "row0_is_south", False):  # drawn flipped (plot_county_map)
        row = ny - 1 - row
    county = int(ids[row, col])
    return county if county >= 0 else None


def cell_centre_km(region, row: int, col: int) -> tuple[float, float]:
    """Centre of raster cell ``(row, col)`` in the map's coordinates (km from lower-left)."""
    ny = np.asarray(region.county_of_cell).shape[0]
    cell_km = float(getattr(region, "cell_km", 1.0) or 1.0)
    drawn_row = ny - 1 - row if getattr(region, "row0_is_south", False) else row
    return (col + 0.5) * cell_km, (ny - drawn_row - 0.5) * cell_km

"""A row of grayscale pictures: reference images beside what each method's generator draws.

The image-GAN chapters (1.3, 1.5, 2.6) close their digits sections with the same picture: a tile of
held-out images, then a tile of samples per method at its chosen step size. The chapter tiles each set
of images (:func:`minimax.gan.image_grid`; this package does not import the science library) and
:func:`image_row` draws the tiles side by side on the images' range, :math:`[-1, 1]` (black to white).

Example::

    image_row({"held-out digits": gan.image_grid(held_out.images),
               "Adam, η = 0.001": gan.image_grid(generator_images)})
    plt.show()
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

PANEL_SIZE = (3.1, 3.4)  # inches per picture: a 6 × 6 tile of 8 × 8 digits and a one-line title


def image_row(pictures: Mapping[str, np.ndarray], panel_size: tuple[float, float] = PANEL_SIZE) -> Figure:
    """One row of grayscale pictures (title -> 2-D array of values in [-1, 1]), in the mapping's order, no axes.

    Args:
      pictures: each picture's title and its pixels, shape ``(height, width)``.
      panel_size: width and height of one picture, in inches.
    """
    if not isinstance(pictures, Mapping) or not pictures:
        raise ValueError(f"pictures must be a non-empty mapping of titles to 2-D arrays; got {pictures!r:.80}.")
    for title, picture in pictures.items():
        if np.ndim(picture) != 2:
            raise ValueError(f"pictures[{title!r}] must be a 2-D array (a tile of images); got shape {np.shape(picture)}.")
    fig, axes = plt.subplots(1, len(pictures), figsize=(panel_size[0] * len(pictures), panel_size[1]), squeeze=False)
    for ax, (title, picture) in zip(axes[0], pictures.items()):
        ax.imshow(picture, cmap="gray", vmin=-1, vmax=1)
        ax.set_title(title)
        ax.axis("off")
    fig.tight_layout()
    return fig

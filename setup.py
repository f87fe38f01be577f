"""mmaction-ext: an MMAction2 plugin package.

Install with ``bash tools/install.sh`` (it also builds mmcv 2.1.0 with ops, which
pip cannot do on its own; see docs/install.md). Every pin is explained there.
"""
import os.path as osp

from setuptools import find_packages, setup


def read_version():
    scope = {}
    with open(osp.join(osp.dirname(__file__), 'mmaction_ext', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='mmaction-ext',
    version=read_version(),
    description='MMAction2 plugin: Video-FocalNets, EMIM, FocusVideo, ART and CSA as registered modules',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=('mmaction_ext', 'mmaction_ext.*')),
    python_requires='>=3.8',
    # mmcv 2.1.0 *with ops* is required too but, as in OpenMMLab's own packages, it is not listed:
    # pip would try to build it in an isolated environment without torch and fail. tools/install.sh
    # builds it; mmaction2 and mmdet check its version at import.
    install_requires=[
        'torch>=2.0',
        'mmengine==0.10.7',
        'mmaction2==1.2.0',
        'mmdet==3.3.0',
        'numpy<2',  # mmaction2 1.2.0 breaks on NumPy 2 (ColorJitter, MultiSports video-mAP, ...)
        'setuptools<82',  # mmengine 0.10.7 resolves 'mmaction::' configs through pkg_resources
        'importlib_metadata',  # imported by mmaction.utils.dependency, not declared by mmaction2
        'opencv-python<4.12',  # 4.12+ require NumPy 2
        'opencv-contrib-python<4.12',  # required by mmaction2; same reason
        'torchcodec>=0.17',  # first video backend; loads the system's FFmpeg libraries (docs/install.md)
        'decord>=0.6.0',
        'av>=9.0',
        'scipy',
        'einops',
        'six',
        'tqdm',
        'open-clip-torch==3.3.0',  # CLIP's architecture, tokenizer and OpenAI-format loading (FocusVideo, ART)
        'scikit-learn',  # t-SNE of ART's text banks (tools/analysis/art_text_bank_tsne.py)
    ],
    extras_require={
        'tests': ['pytest', 'psutil'],
        'natten': ['natten==0.17.5'],
        # tools/export.py: ONNX files and their check in onnxruntime (the TorchScript exporter: no onnxscript)
        'export': ['onnx', 'onnxruntime'],
    },
    zip_safe=False,
)
